# A tiny version of configs/quickstart_synthetic.py for the end-to-end tool
# tests: ViT width 32, 2 layers, patch 8, 32x32 crops, images of about
# 64x72, 3 epochs of a few iterations, checkpoint and validation every epoch.
# The layout is detected from data_root, which the tests set with
#   --data-root DIR
_base_ = ['../../configs/quickstart_drive.py']

crop_size = (32, 32)
spatial_channels = (4, 4, 8, 8)
fov_diameter = 64  # px; the test images are 64x72
randomness = dict(seed=0)
model = dict(
    backbone=dict(
        arch=dict(
            embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64),
        img_size=crop_size,
        patch_size=8,
        out_indices=(0, 1),
        spatial_channels=spatial_channels),
    decode_head=dict(
        in_channels=(32, 32),
        patch_size=8,
        mla_channels=16,
        spatial_channels=spatial_channels),
    test_cfg=dict(crop_size=crop_size, stride=(24, 24), slide_batch_size=16))

# mmseg's inference APIs read test_pipeline from the file itself; --tta
# reads tta_pipeline
test_pipeline = [
    {{_base_.load_image}},
    dict(type='LoadFundusAnnotations', keep_gt_original=True),
    dict(type='ResizeToFOV', fov_diameter=fov_diameter),
    dict(type='PackFundusInputs'),
]
tta_pipeline = [
    *test_pipeline[:3],
    dict(
        type='TestTimeAug',
        transforms=[
            [
                dict(type='RandomFlip', prob=0., direction='horizontal'),
                dict(type='RandomFlip', prob=1., direction='horizontal'),
                dict(type='RandomFlip', prob=1., direction='vertical'),
            ],
            [dict(type='PackFundusInputs')],
        ]),
]
train_pipeline = [
    {{_base_.load_image}},
    dict(type='LoadFundusAnnotations'),
    dict(
        type='ResizeToFOV', fov_diameter=fov_diameter,
        ratio_range=(0.75, 1.25)),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='PackFundusInputs'),
]
# 3 training images (4, one held out): 2 iterations an epoch at batch 2
train_dataloader = dict(
    batch_size=2,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(times=1, dataset=dict(pipeline=train_pipeline)))
val_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

train_cfg = dict(max_epochs=3, val_interval=1)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1))
