# The quickstart recipe trained on several sets at once, each at the
# normalised scale (photographs rescaled to a 540 px field of view), in the
# CPU budget of configs/quickstart_drive.py. The last 20 % of each set's
# training part validate (one pooled Dice chooses best_model.pth); the test
# parts are only for tools/test.py, one set at a time:
#   python tools/train.py configs/quickstart_multi.py
#   python tools/test.py configs/quickstart_multi.py \
#       work_dirs/quickstart_multi/best_model.pth            # DRIVE
#   python tools/test.py configs/quickstart_multi.py \
#       work_dirs/quickstart_multi/best_model.pth \
#       --cfg-options test_dataloader.dataset.data_root=data/CHASE_DB1
# Add a set (any supported layout, e.g. an images/ labels/ [masks/] folder)
# to data_roots in a copy of this file.
_base_ = ['./quickstart_drive.py']
custom_imports = dict(imports=['setr_fundus'], allow_failed_imports=False)

# the spatial path these figures were measured with (8 channels at full
# resolution; quickstart_drive's 16 not re-measured here)
spatial_channels = (8, 16, 16, 32, 32)
model = dict(
    backbone=dict(spatial_channels=spatial_channels),
    decode_head=dict(spatial_channels=spatial_channels))

data_roots = ['data/DRIVE', 'data/CHASE_DB1']
# each set 4 times an epoch: 2 x 16 images x 4 = 128 crops, 16 iterations
# at batch 8, so the 188 epochs cost what quickstart_drive's do
repeat_times = 4
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            dict(
                type='RepeatDataset',
                times=repeat_times,
                dataset=dict(
                    type='FundusVesselDataset',
                    data_root=root,
                    split='train',
                    pipeline={{_base_.train_pipeline}}))
            for root in data_roots
        ]))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            dict(
                type='FundusVesselDataset',
                data_root=root,
                split='val',
                pipeline={{_base_.test_pipeline}}) for root in data_roots
        ]))
