# The seed's ConfigViTB16Frozen: ViT-B/16 at 224x224 initialised from the
# fundus foundation model and frozen; only the MLA decoder and head train,
# with the spatial path beside the ViT, which also trains (the seed's plain
# head: --cfg-options model.backbone.spatial_channels=None
# model.decode_head.spatial_channels=None). AdamW lr 1e-4
# (decoder x10, one-epoch warm-up), cosine annealing, batch 4 per GPU, 100
# epochs, DRIVE.
_base_ = [
    '_base_/models/setr_mla_vit.py', '_base_/datasets/fundus_vessel.py',
    '_base_/schedules/schedule_100e.py', '_base_/default_runtime.py'
]
custom_imports = dict(imports=['setr_fundus'], allow_failed_imports=False)

model = dict(
    backbone=dict(
        frozen_stages='all',
        init_cfg=dict(
            type='Pretrained', checkpoint='VFM_Fundus_weights.pth')))
