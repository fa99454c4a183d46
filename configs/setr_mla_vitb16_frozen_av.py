# Artery/vein segmentation with the frozen fundus-foundation ViT-B/16:
# setr_mla_vitb16_frozen_fundus.py's recipe (only the MLA decoder, head
# and spatial path train) on RITE with four classes, scored and chosen as
# configs/quickstart_av.py is (docs/artery_vein.md). Needs
# VFM_Fundus_weights.pth in the working directory.
#   python tools/train.py configs/setr_mla_vitb16_frozen_av.py
_base_ = ['./setr_mla_vitb16_frozen_fundus.py']
custom_imports = dict(imports=['setr_fundus'], allow_failed_imports=False)

# classes 0 background, 1 artery, 2 vein, 3 crossing/uncertain; RITE's
# training images 21-36 train, 37-40 choose best_model.pth
dataset_type = 'FundusArteryVeinDataset'
data_root = 'data/RITE'
train_dataloader = dict(
    dataset=dict(dataset=dict(type=dataset_type, data_root=data_root)))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
val_evaluator = [dict(type='AVMetric')]
test_evaluator = val_evaluator

# one artery/vein decision per vessel segment, as quickstart_av.py
model = dict(
    decode_head=dict(num_classes=4),
    test_cfg=dict(av_segment_vote=dict(artery=1, vein=2)))

default_hooks = dict(checkpoint=dict(save_best='Acc_AV'))
