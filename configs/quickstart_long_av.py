# configs/quickstart_av.py trained four times as long (752 epochs of 16
# iterations, about an hour on a 2-core CPU): the measured answer to whether
# the A/V accuracy of the 15-minute recipe is limited by its schedule
# (docs/artery_vein.md).
#   python tools/train.py configs/quickstart_long_av.py
#   python tools/test.py configs/quickstart_long_av.py \
#       work_dirs/quickstart_long_av/best_model.pth
_base_ = ['./quickstart_av.py']
custom_imports = dict(imports=['setr_fundus'], allow_failed_imports=False)

train_cfg = dict(max_epochs=752, val_interval=50)
default_hooks = dict(checkpoint=dict(interval=100))
