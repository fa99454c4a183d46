# First run on a laptop CPU, nothing to download: the recipe of
# configs/quickstart_drive.py (small ViT from scratch, MLA head with its
# detail path) trained on the built-in synthetic fundus set (20 training,
# 5 validation images of 584x565, made in memory).
#   python tools/train.py configs/quickstart_synthetic.py
_base_ = ['./quickstart_drive.py']
custom_imports = dict(imports=['setr_fundus'], allow_failed_imports=False)

synthetic = dict(num_train=20, num_test=5, size=(584, 565), seed=0)
# 20 images x 8 = 160 crops an epoch, 20 iterations at batch 8
train_dataloader = dict(
    dataset=dict(layout='synthetic', synthetic=synthetic, indices=None))
val_dataloader = dict(
    dataset=dict(
        layout='synthetic', synthetic=synthetic, split='val', indices=None))
test_dataloader = val_dataloader

train_cfg = dict(max_epochs=30, val_interval=10)
default_hooks = dict(checkpoint=dict(interval=10))
