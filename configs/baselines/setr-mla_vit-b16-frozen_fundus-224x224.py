# Stock MMSegmentation SETR-MLA of the size of
# configs/setr_mla_vitb16_frozen_fundus.py, for the benchmark's side-by-side
# figures (docs/benchmark.md): mmseg's EncoderDecoder, VisionTransformer
# (ViT-B/16 tapped at layers 2, 5, 8, 11, frozen with mmseg's own switch
# frozen_exclude=[]), MLANeck and SETRMLAHead with mmseg's SETR-MLA
# defaults, the same losses, data, schedule and trainable-only optimizer.
#   python tools/analysis_tools/benchmark.py \
#       configs/setr_mla_vitb16_frozen_fundus.py \
#       configs/baselines/setr-mla_vit-b16-frozen_fundus-224x224.py
_base_ = ['../setr_mla_vitb16_frozen_fundus.py']
custom_imports = dict(imports=['setr_fundus'], allow_failed_imports=False)

norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    _delete_=True,
    type='EncoderDecoder',
    data_preprocessor={{_base_.data_preprocessor}},
    backbone=dict(
        type='VisionTransformer',
        img_size=(224, 224),
        patch_size=16,
        in_channels=3,
        embed_dims=768,
        num_layers=12,
        num_heads=12,
        mlp_ratio=4,
        out_indices=(2, 5, 8, 11),
        qkv_bias=True,
        drop_rate=0.0,
        norm_cfg=dict(type='LN', eps=1e-6),
        with_cls_token=False,
        interpolate_mode='bilinear',
        frozen_exclude=[],
        init_cfg=None),
    neck=dict(
        type='MLANeck',
        in_channels=[768, 768, 768, 768],
        out_channels=256,
        norm_cfg=norm_cfg,
        act_cfg=dict(type='ReLU')),
    decode_head=dict(
        type='SETRMLAHead',
        in_channels=(256, 256, 256, 256),
        channels=512,
        in_index=(0, 1, 2, 3),
        dropout_ratio=0,
        mla_channels=128,
        num_classes=2,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode={{_base_.model.decode_head.loss_decode}}),
    train_cfg=dict(),
    test_cfg={{_base_.model.test_cfg}})
