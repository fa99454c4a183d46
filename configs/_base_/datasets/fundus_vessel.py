# Retinal-vessel photographs of any camera and resolution. The layout
# (DRIVE, CHASE_DB1, STARE, HRF, images/+labels/ folder) is detected from
# data_root; point every loader at another set with
#   python tools/train.py CONFIG --data-root data/CHASE_DB1
# Every pipeline first rescales the photograph so that its field of view
# (FOV) is fov_diameter pixels wide (ResizeToFOV), so training, validation,
# test and inference see one vessel scale; a photograph that resolves more
# than 2 x fov_diameter pixels across its FOV (not an enlarged one) is
# segmented finer, at half that diameter up to max_fov_diameter
# (docs/scale.md). Predictions and
# metrics are at the photograph's own pixels. data_root, crop_size,
# fov_diameter and max_fov_diameter are copied into the dicts below when
# this file is read: a config that inherits it and changes one of them
# re-declares the dicts that use it (see configs/quickstart_drive.py for
# crop_size).
dataset_type = 'FundusVesselDataset'
data_root = 'data/DRIVE'
fov_diameter = 540  # px; about DRIVE's, so DRIVE keeps its scale
max_fov_diameter = 1620  # px; HRF (3504x2336) is segmented at 1620
crop_size = (224, 224)  # the encoder's input size
# An epoch of the 16 images left after the hold-out would be 16 crops;
# repeat the set (mmengine's RepeatDataset) so that each image is seen 8
# times an epoch (~1.2x coverage of a 540 px FOV by 224x224 crops).
repeat_times = 8
# Photographs are decoded by PIL (TIFF, GIF, PPM, JPEG, PNG; .gz files such
# as STARE's through the 'local_gzip' file backend), ignoring EXIF rotation
# as the labels do.
load_image = dict(
    type='LoadImageFromFile',
    imdecode_backend='pillow',
    color_type='color_ignore_orientation',
    backend_args=dict(backend='local_gzip'))
# Training decodes each photograph, label and mask once per loader worker
# and keeps them (up to 512 MiB a worker; larger sets decode the rest
# every time): it saves ~10 % of the training time on a 2-core CPU.
train_pipeline = [
    dict(
        type='CachedLoad',
        transforms=[load_image, dict(type='LoadFundusAnnotations')],
        max_mib=512),
    # scale jitter relative to the FOV
    dict(
        type='ResizeToFOV',
        fov_diameter=fov_diameter,
        max_fov_diameter=max_fov_diameter,
        ratio_range=(0.75, 1.5)),
    dict(type='RandomRotate', prob=0.5, degree=30, pad_val=0, seg_pad_val=255),
    dict(
        type='RandomFlip',
        prob=[0.25, 0.25],
        direction=['horizontal', 'vertical']),
    # crops of the normalised photograph: squashing the whole image to the
    # crop size would erase the thin vessels
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
# validation / test / inference: the whole photograph at the normalised
# scale, segmented by sliding windows (model.test_cfg); label and FOV mask
# stay at the original resolution, where the metrics are computed
test_pipeline = [
    load_image,
    dict(type='LoadFundusAnnotations', keep_gt_original=True),
    dict(
        type='ResizeToFOV',
        fov_diameter=fov_diameter,
        max_fov_diameter=max_fov_diameter),
    dict(type='PackFundusInputs'),
]
# --tta: the image and its flips, probabilities averaged by FundusTTAModel
tta_pipeline = [
    load_image,
    dict(type='LoadFundusAnnotations', keep_gt_original=True),
    dict(
        type='ResizeToFOV',
        fov_diameter=fov_diameter,
        max_fov_diameter=max_fov_diameter),
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
# 'train' and 'val' split the training part (holdout: the last 20 % of it
# validate and choose best_model.pth); 'test' is the test part, used only
# by tools/test.py
train_dataloader = dict(
    batch_size=4,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='RepeatDataset',
        times=repeat_times,
        dataset=dict(
            type=dataset_type,
            data_root=data_root,
            split='train',
            pipeline=train_pipeline)))
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
test_dataloader = dict(
    val_dataloader, dataset=dict(val_dataloader['dataset'], split='test'))
val_evaluator = dict(type='VesselMetric')
test_evaluator = val_evaluator
