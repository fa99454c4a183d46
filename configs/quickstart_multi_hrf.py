# configs/quickstart_multi.py with HRF's training part as a third set: the
# recipe trained on the vessel widths of a high-resolution camera too
# (HRF's photographs are segmented, and so trained, at a 1620 px field of
# view: docs/scale.md). Each set 3 times an epoch, 188 epochs; HRF's
# large photographs are resampled for every crop: 50 min on a 2-core CPU,
# four times quickstart_multi. The last 20 % of each set's training part
# validate; HRF's test part is not used here.
#   python tools/train.py configs/quickstart_multi_hrf.py
#   python tools/test.py configs/quickstart_multi_hrf.py \
#       work_dirs/quickstart_multi_hrf/best_model.pth            # DRIVE
_base_ = ['./quickstart_multi.py']
custom_imports = dict(imports=['setr_fundus'], allow_failed_imports=False)

data_roots = ['data/DRIVE', 'data/CHASE_DB1', 'data/HRF']
# (16 + 16 + 12) images x 3 = 132 crops, 17 iterations at batch 8
repeat_times = 3
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
