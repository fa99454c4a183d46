# A tiny setr_fundus model (ViT width 32, 2 layers, patch 8, 32x32 crops,
# frozen encoder) for fast tool tests; data as in the quickstart config.
_base_ = ['../../../configs/quickstart_synthetic.py']
custom_imports = dict(imports=['setr_fundus'], allow_failed_imports=False)

crop_size = (32, 32)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(
        arch=dict(
            embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64),
        img_size=crop_size,
        out_indices=(0, 1),
        frozen_stages='all'),
    decode_head=dict(in_channels=(32, 32), mla_channels=16),
    test_cfg=dict(crop_size=crop_size, stride=(24, 24), slide_batch_size=8))
train_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False)
