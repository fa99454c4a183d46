# The tiny end-to-end test model with a frozen encoder, for the benchmark
# and inference tests; data as in the quickstart config (synthetic).
_base_ = ['../tiny_fundus_config.py']

model = dict(backbone=dict(frozen_stages='all'))
train_dataloader = dict(dataset=dict(layout='synthetic'))
val_dataloader = dict(dataset=dict(layout='synthetic'))
test_dataloader = dict(dataset=dict(layout='synthetic'))
