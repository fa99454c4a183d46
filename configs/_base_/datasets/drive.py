# Retinal vessel data as unpacked from the public archives; the layout
# (DRIVE, CHASE_DB1, STARE, HRF, images/+labels/ folder) is detected from
# data_root. Point data_root at another set with
#   --cfg-options train_dataloader.dataset.data_root=data/CHASE_DB1 \
#                 val_dataloader.dataset.data_root=data/CHASE_DB1 \
#                 test_dataloader.dataset.data_root=data/CHASE_DB1
dataset_type = 'FundusVesselDataset'
data_root = 'data/DRIVE'
crop_size = (224, 224)  # the encoder's input size
img_scale = (565, 584)  # DRIVE's (w, h); random rescale is relative to it
# An epoch of 20 training images would be 20 crops; repeat the set so that
# an epoch shows each image about 8 times (~1.2x coverage of a 584x565 image
# by 224x224 crops): 160 crops, 40 iterations at batch 4 on one GPU.
repeat_times = 8
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadFundusAnnotations'),
    dict(
        type='RandomResize',
        scale=img_scale,
        ratio_range=(0.75, 1.5),
        keep_ratio=True),
    dict(type='RandomRotate', prob=0.5, degree=30, pad_val=0, seg_pad_val=255),
    dict(
        type='RandomFlip',
        prob=[0.25, 0.25],
        direction=['horizontal', 'vertical']),
    # crops from the full-resolution image: squashing the whole image to
    # 224 would erase the thin vessels
    dict(type='RandomCrop', crop_size=crop_size),
    # mild colour changes: mmseg's default hue shift turns fundi yellow
    dict(
        type='PhotoMetricDistortion',
        brightness_delta=24,
        contrast_range=(0.75, 1.25),
        saturation_range=(0.75, 1.25),
        hue_delta=4),
    dict(type='PackFundusInputs'),
]
# validation / test: the full image at its original resolution, segmented by
# sliding windows (model.test_cfg); no resizing
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadFundusAnnotations'),
    dict(type='PackFundusInputs'),
]
# --tta: the image and its flips, probabilities averaged by FundusTTAModel
tta_pipeline = [
    dict(type='LoadImageFromFile'),
    # label and FOV mask stay out of the flips
    dict(type='LoadFundusAnnotations', keep_gt_original=True),
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
train_dataloader = dict(
    batch_size=4,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        repeat_times=repeat_times,
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='val',
        pipeline=test_pipeline))
# the same loader on the official test part
test_dataloader = dict(
    val_dataloader, dataset=dict(val_dataloader['dataset'], split='test'))
val_evaluator = dict(type='VesselMetric')
test_evaluator = val_evaluator
