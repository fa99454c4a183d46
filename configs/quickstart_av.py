# Artery/vein segmentation of RITE on a laptop CPU in under 15 minutes
# (2 cores, validation included): quickstart_drive.py's small SETR-MLA
# (ViT w128 d4 p16 + spatial path, FOV normalised to 540 px, 128x128
# crops, from scratch) with four classes (docs/artery_vein.md):
#   python tools/train.py configs/quickstart_av.py
#   python tools/test.py configs/quickstart_av.py \
#       work_dirs/quickstart_av/best_model.pth
# Classes: 0 background, 1 artery, 2 vein, 3 crossing/uncertain
# (FundusArteryVeinDataset's, no metainfo subset): crossings and uncertain
# vessel pixels are trained as their own class, a vessel of unknown type,
# and AVMetric scores them as such. RITE's training part (21-40) trains
# on 21-36; 37-40 choose best_model.pth by the A/V accuracy; the 20 test
# images are only for tools/test.py.
_base_ = ['./quickstart_drive.py']
custom_imports = dict(imports=['setr_fundus'], allow_failed_imports=False)

dataset_type = 'FundusArteryVeinDataset'
data_root = 'data/RITE'
train_dataloader = dict(
    dataset=dict(dataset=dict(type=dataset_type, data_root=data_root)))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
val_evaluator = [dict(type='AVMetric')]
test_evaluator = val_evaluator

# the base's losses: cross-entropy + 3x Dice over the vessel channels
# (DiceLoss's ignore_index=0 drops the background channel; mmseg pools the
# artery, vein and crossing/uncertain channels into one Dice per image)
# the spatial path these figures were measured with (8 channels at full
# resolution; quickstart_drive's 16 not re-measured here)
spatial_channels = (8, 16, 16, 32, 32)
# testing (and validation): windows of 256 px instead of the 128 px the
# model trains on, more context for telling arteries from veins (held-out
# Acc_AV +1.6), and one artery/vein decision per vessel segment (between
# branch points and crossings) of the predicted map at the photograph's
# size (+2.7), in tools/test.py and tools/infer.py alike
# (docs/artery_vein.md)
test_window = (256, 256)
model = dict(
    backbone=dict(spatial_channels=spatial_channels),
    decode_head=dict(spatial_channels=spatial_channels, num_classes=4),
    test_cfg=dict(
        crop_size=test_window,
        stride=(192, 192),
        av_segment_vote=dict(artery=1, vein=2)))

default_hooks = dict(checkpoint=dict(save_best='Acc_AV'))
