# The tiny end-to-end test model with a frozen encoder, for the benchmark
# and inference tests; data as in the quickstart config (synthetic).
_base_ = ['../tiny_fundus_config.py']

model = dict(backbone=dict(frozen_stages='all'))
data_root = ''
synthetic = dict(
    type='SyntheticFundusDataset',
    data_root=data_root,
    num_train=20,
    num_test=5,
    size=(64, 72))
train_dataloader = dict(dataset=dict(dataset=synthetic))
val_dataloader = dict(dataset=synthetic)
test_dataloader = dict(dataset=synthetic)
