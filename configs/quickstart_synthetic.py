# First run on a laptop CPU, nothing to download: the recipe of
# configs/quickstart_drive.py (small ViT from scratch, MLA head with its
# spatial path) trained on the built-in synthetic fundus set (20 training
# images of 584x565, the last 4 held out for validation).
#   python tools/train.py configs/quickstart_synthetic.py
_base_ = ['./quickstart_drive.py']
custom_imports = dict(imports=['setr_fundus'], allow_failed_imports=False)

# written once into a folder under the system's temporary directory
data_root = ''
synthetic = dict(
    type='SyntheticFundusDataset',
    data_root=data_root,
    num_train=20,
    num_test=5,
    seed=0)  # images of DRIVE's size, the generator's default
# 16 images x 8 = 128 crops an epoch, 16 iterations at batch 8
train_dataloader = dict(dataset=dict(dataset=synthetic))
val_dataloader = dict(dataset=synthetic)
test_dataloader = dict(dataset=synthetic)

train_cfg = dict(max_epochs=30, val_interval=10)
default_hooks = dict(checkpoint=dict(interval=10))
