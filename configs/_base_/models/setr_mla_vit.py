# SETR-MLA for binary vessel segmentation: VFMViT encoder taps four layers,
# VesselMLAHead aggregates them and up-samples log2(patch_size) times, each
# step fused with the map of its resolution from the backbone's spatial
# path (a conv stem on the image beside the ViT, as BiSeNetV1's).
# Two output channels (softmax) with cross-entropy + Dice on the vessel
# channel (DiceLoss's ignore_index=0 drops the background channel).
norm_cfg = dict(type='BN', requires_grad=True)
# widths of the spatial path's maps at 1/1 .. 1/16 of the image; the
# backbone makes them and the head takes them (None: the seed's plain
# SETR-MLA head, which decodes everything from the 1/16 tokens; set both
# both sites: --cfg-options model.backbone.spatial_channels=None
# model.decode_head.spatial_channels=None)
spatial_channels = (16, 16, 32, 32, 64)
data_preprocessor = dict(
    type='SegDataPreProcessor',
    # VisionFM's colour-fundus statistics (RGB, 0-255)
    mean=[108.05, 66.54, 32.74],
    std=[75.18, 51.43, 34.85],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    # training crops all have the crop size; pad a batch to its largest
    # input (a multiple of the patch size)
    size_divisor=16)
model = dict(
    type='FundusEncoderDecoder',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='VFMViT',
        # ViT-B/16: width 768, 12 layers, 12 heads, MLP 3072
        arch=dict(
            embed_dims=768,
            num_layers=12,
            num_heads=12,
            feedforward_channels=3072),
        img_size=(224, 224),
        patch_size=16,
        out_indices=(2, 5, 8, 11),
        drop_path_rate=0.0,
        frozen_stages=-1,
        spatial_channels=spatial_channels,
        spatial_norm_cfg=norm_cfg),
    decode_head=dict(
        type='VesselMLAHead',
        in_channels=(768, 768, 768, 768),
        patch_size=16,
        mla_channels=256,
        # the spatial path: backbone outputs 4-8 into every x2 up-step
        spatial_channels=spatial_channels,
        num_classes=2,
        dropout_ratio=0.0,
        norm_cfg=norm_cfg,
        align_corners=False,
        # Dice weighted 3x as in mmseg's DRIVE recipes: with 1:1 the
        # cross-entropy keeps the vessel probability of thin vessels under
        # 0.5 for long and the model predicts no vessel (docs/drive.md)
        loss_decode=[
            dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
            dict(
                type='DiceLoss',
                use_sigmoid=False,
                naive_dice=True,
                ignore_index=0,
                loss_weight=3.0),
        ]),
    train_cfg=dict(),
    # sliding windows of the encoder's input size over the whole photograph
    # at the normalised scale, overlapping by a quarter
    test_cfg=dict(
        mode='slide',
        crop_size=(224, 224),
        stride=(168, 168),
        slide_batch_size=8))
