# Real DRIVE on a laptop CPU in 9-15 minutes (2 cores, validation
# included): a small SETR-MLA trained from scratch, nothing to download
# but the data set (link it: mkdir -p data && ln -s /path/to/DRIVE
# data/DRIVE).
#   python tools/train.py configs/quickstart_drive.py
#   python tools/test.py configs/quickstart_drive.py \
#       work_dirs/quickstart_drive/best_model.pth
# Another set by its data root alone (any camera: photographs are rescaled
# to a 540 px field of view first):
#   python tools/train.py configs/quickstart_drive.py \
#       --data-root data/CHASE_DB1
# Encoder: ViT width 128, 4 layers, patch 16, tapped at every layer, and
# its spatial path (a conv stem on the image). The MLA head decodes with
# the spatial path: its maps feed every x2 up-step, so one-pixel
# vessels are decoded at full resolution
# (with the plain head this recipe reaches held-out Dice 32.5 only, see
# docs/drive.md). The last 4 training images choose best_model.pth; the
# test images are only for tools/test.py.
_base_ = ['./setr_mla_default_fundus.py']
custom_imports = dict(imports=['setr_fundus'], allow_failed_imports=False)

# training crops, the encoder's input and the sliding windows
crop_size = (128, 128)
# colours: every photograph's field of view mapped to one mean and spread
# per channel (BGR; the average of DRIVE's training photographs 21-36,
# python .dev_scripts/fov_colour_stats.py configs/quickstart_drive.py), in
# every pipeline right after loading, so that another camera's photographs
# reach the model in the colours it trained on (CHASE_DB1, never trained
# on: test Dice 71.11 -> 73.02, docs/cameras.md)
standardize_colour = dict(
    type='StandardizeFOVColour', mean=[57, 98, 187], std=[11, 21, 34])
# the base's pipelines with the colour step and crops of crop_size
train_pipeline = [
    dict(step, transforms=[*step['transforms'], standardize_colour])
    if step['type'] == 'CachedLoad' else
    dict(step, crop_size=crop_size) if step['type'] == 'RandomCrop' else step
    for step in _base_.train_pipeline
]
test_pipeline = [
    s for step in _base_.test_pipeline for s in (
        [step, standardize_colour]
        if step['type'] == 'LoadFundusAnnotations' else [step])
]
tta_pipeline = [
    s for step in _base_.tta_pipeline for s in (
        [step, standardize_colour]
        if step['type'] == 'LoadFundusAnnotations' else [step])
]
# 16 channels at full resolution, where the capillaries are: with 8 the
# model drew fewer thin vessels and scored lower (docs/topology.md)
spatial_channels = (16, 16, 32, 32, 32)
model = dict(
    backbone=dict(
        arch=dict(
            embed_dims=128, num_layers=4, num_heads=4,
            feedforward_channels=512),
        img_size=crop_size,
        patch_size=16,
        out_indices=(0, 1, 2, 3),
        drop_path_rate=0.0,
        spatial_channels=spatial_channels),
    decode_head=dict(
        in_channels=(128, 128, 128, 128),
        patch_size=16,
        mla_channels=64,
        spatial_channels=spatial_channels),
    test_cfg=dict(crop_size=crop_size, stride=(96, 96), slide_batch_size=16))

# 16 images x 8 = 128 crops an epoch, 16 iterations at batch 8; 188 epochs
# are 3,008 iterations
train_dataloader = dict(
    batch_size=8, dataset=dict(dataset=dict(pipeline=train_pipeline)))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

optim_wrapper = dict(
    optimizer=dict(lr=2e-3),
    paramwise_cfg=dict(
        custom_keys={
            'decode_head': dict(lr_mult=1.0),
            'spatial_path': dict(lr_mult=1.0)
        }))
train_cfg = dict(max_epochs=188, val_interval=25)
default_hooks = dict(checkpoint=dict(interval=25), logger=dict(interval=50))
