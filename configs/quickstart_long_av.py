# configs/quickstart_av.py's model and losses on the 128 px crops it trained
# on before 2026-12-06 (8 a batch, every photograph 8 times an epoch; tested
# in 256 px windows), four times that recipe's 188 epochs (752 epochs of 16
# iterations, about an hour on a 2-core CPU): the measured answer to whether
# the A/V accuracy of the 15-minute recipe was limited by its schedule
# (docs/artery_vein.md).
#   python tools/train.py configs/quickstart_long_av.py
#   python tools/test.py configs/quickstart_long_av.py \
#       work_dirs/quickstart_long_av/best_model.pth
_base_ = ['./quickstart_av.py']
custom_imports = dict(imports=['setr_fundus'], allow_failed_imports=False)

crop_size = (128, 128)
test_window = (256, 256)
train_pipeline = [
    dict(step, crop_size=crop_size) if step['type'] == 'RandomCrop' else step
    for step in _base_.train_pipeline
]
train_dataloader = dict(
    batch_size=8,
    dataset=dict(times=8, dataset=dict(pipeline=train_pipeline)))
model = dict(
    backbone=dict(img_size=crop_size), test_cfg=dict(crop_size=test_window))

train_cfg = dict(max_epochs=752, val_interval=50)
default_hooks = dict(checkpoint=dict(interval=100))
