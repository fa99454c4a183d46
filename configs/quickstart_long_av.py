# configs/quickstart_av.py's recipe (256 px crops, 2 a batch, 256 px
# windows, per-segment vote) trained 1000 epochs instead of 270 (16,000
# iterations, within an hour on a 2-core CPU): the recipe beside the
# 15-minute one for when the artery/vein accuracy is worth the hour
# (docs/artery_vein.md).
#   python tools/train.py configs/quickstart_long_av.py
#   python tools/test.py configs/quickstart_long_av.py \
#       work_dirs/quickstart_long_av/best_model.pth
_base_ = ['./quickstart_av.py']
custom_imports = dict(imports=['setr_fundus'], allow_failed_imports=False)

train_cfg = dict(max_epochs=1000, val_interval=50)
default_hooks = dict(checkpoint=dict(interval=100))
