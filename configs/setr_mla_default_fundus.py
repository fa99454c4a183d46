# The seed's default Config: a smaller ViT (patch 8, width 384, 8 layers)
# trained from scratch; nothing frozen, no checkpoint needed. Decoder with
# the spatial path (docs/drive.md; the seed's plain head:
# --cfg-options model.backbone.spatial_channels=None
# model.decode_head.spatial_channels=None).
_base_ = [
    '_base_/models/setr_mla_vit.py', '_base_/datasets/fundus_vessel.py',
    '_base_/schedules/schedule_100e.py', '_base_/default_runtime.py'
]
custom_imports = dict(imports=['setr_fundus'], allow_failed_imports=False)

spatial_channels = (16, 16, 32, 64)  # 1/1 .. 1/8: patch 8

model = dict(
    backbone=dict(
        arch=dict(
            embed_dims=384,
            num_layers=8,
            num_heads=6,
            feedforward_channels=1536),
        patch_size=8,
        out_indices=(1, 3, 5, 7),
        drop_path_rate=0.1,
        spatial_channels=spatial_channels),
    decode_head=dict(
        in_channels=(384, 384, 384, 384),
        patch_size=8,
        mla_channels=128,
        spatial_channels=spatial_channels))
