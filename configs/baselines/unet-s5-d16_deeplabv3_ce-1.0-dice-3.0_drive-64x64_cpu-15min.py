# Stock MMSegmentation UNet on real DRIVE at the CPU budget of
# configs/quickstart_drive.py, for the README's comparison: mmseg's own
# model, loss (CE + 3x Dice), 64x64 crops, augmentation and SGD poly
# schedule (unet-s5-d16_deeplabv3_4xb4-ce-1.0-dice-3.0-40k_drive-64x64),
# shortened to the 2,300 iterations that fill 15 minutes on a 2-core
# CPU. Only the data (the DRIVE archive as it
# unpacks, the same 16 training / 4 held-out images as quickstart_drive,
# at DRIVE's own scale as in mmseg's recipe)
# and the metric (VesselMetric, inside the FOV) are setr_fundus'.
#   python tools/train.py \
#       configs/baselines/unet-s5-d16_deeplabv3_ce-1.0-dice-3.0_drive-64x64_cpu-15min.py
_base_ = [
    'mmseg::unet/unet-s5-d16_deeplabv3_4xb4-ce-1.0-dice-3.0-40k_drive-64x64.py'
]
custom_imports = dict(imports=['setr_fundus'], allow_failed_imports=False)
# trusted loading of resume checkpoints under torch >= 2.6, BN on the CPU
runner_type = 'FundusRunner'

iters = 2300
data_root = 'data/DRIVE'
crop_size = (64, 64)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadFundusAnnotations'),
    dict(
        type='RandomResize',
        scale=(584, 565),
        ratio_range=(0.5, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackFundusInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadFundusAnnotations'),
    dict(type='PackFundusInputs'),
]
# mmseg's DRIVE dataset replaced by ours (the archive as it unpacks)
drive_dataset = dict(
    _delete_=True,
    type='FundusVesselDataset',
    data_root=data_root,
    pipeline=test_pipeline)
train_dataloader = dict(
    num_workers=2,
    dataset=dict(drive_dataset, split='train', pipeline=train_pipeline))
val_dataloader = dict(num_workers=2, dataset=dict(drive_dataset, split='val'))
test_dataloader = dict(
    num_workers=2, dataset=dict(drive_dataset, split='test'))
val_evaluator = dict(_delete_=True, type='VesselMetric')
test_evaluator = val_evaluator

param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=1e-4,
        power=0.9,
        begin=0,
        end=iters,
        by_epoch=False)
]
# validated once, at the end, like the stock run it mirrors (last checkpoint)
train_cfg = dict(max_iters=iters, val_interval=iters)
default_hooks = dict(
    checkpoint=dict(
        _delete_=True,
        type='FundusCheckpointHook',
        by_epoch=False,
        interval=iters,
        filename_tmpl='model_iter_{}.pth',
        save_best='Dice',
        rule='greater'))
