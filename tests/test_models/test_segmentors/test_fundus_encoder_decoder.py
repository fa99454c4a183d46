import copy

import pytest
import torch
from mmengine.config import ConfigDict
from mmengine.registry import init_default_scope
from mmengine.structures import BaseDataElement, PixelData
from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

SPATIAL = (4, 4, 8, 8)


def _model(slide_batch_size=8, crop=32, stride=24, spatial=False, **extra):
    init_default_scope('mmseg')
    model = MODELS.build(
        dict(
            type='FundusEncoderDecoder',
            data_preprocessor=dict(
                type='SegDataPreProcessor',
                mean=[100., 60., 30.],
                std=[70., 50., 30.],
                bgr_to_rgb=True,
                size=(crop, crop)),
            backbone=dict(
                type='VFMViT',
                arch=dict(
                    embed_dims=32,
                    num_layers=2,
                    num_heads=2,
                    feedforward_channels=64),
                img_size=32,
                patch_size=8,
                out_indices=(0, 1),
                spatial_channels=SPATIAL if spatial else None,
                init_cfg=None),
            decode_head=dict(
                type='VesselMLAHead',
                in_channels=(32, 32),
                patch_size=8,
                mla_channels=16,
                num_classes=2,
                norm_cfg=dict(type='BN'),
                spatial_channels=SPATIAL if spatial else None,
                loss_decode=[
                    dict(type='CrossEntropyLoss', loss_weight=1.0),
                    dict(type='DiceLoss', use_sigmoid=False, ignore_index=0,
                         naive_dice=True)
                ]),
            test_cfg=ConfigDict(
                mode='slide',
                crop_size=(crop, crop),
                stride=(stride, stride),
                slide_batch_size=slide_batch_size),
            **extra))
    model.init_weights()
    return model.eval()


@pytest.mark.parametrize('size', [(73, 58), (32, 32), (20, 50)])
@pytest.mark.parametrize('batch', [1, 2])
@pytest.mark.parametrize('chunk', [1, 3, 64])
@pytest.mark.parametrize('spatial', [False, True])
def test_batched_slide_equals_mmseg(size, batch, chunk, spatial):
    model = _model(slide_batch_size=chunk, spatial=spatial)
    inputs = torch.randn(batch, 3, *size)
    metas = [dict(img_shape=size, ori_shape=size) for _ in range(batch)]
    with torch.no_grad():
        ours = model.slide_inference(inputs, copy.deepcopy(metas))
        ref = EncoderDecoder.slide_inference(model, inputs,
                                             copy.deepcopy(metas))
    assert ours.shape == (batch, 2, *size)
    torch.testing.assert_close(ours, ref, atol=1e-4, rtol=0)


def test_spatial_path_maps_are_ordinary_backbone_outputs():
    model = _model(spatial=True)
    feats = model.extract_feat(torch.randn(2, 3, 32, 40))
    assert [tuple(f.shape[1:]) for f in feats] == [
        (32, 4, 5), (32, 4, 5), (4, 32, 40), (4, 16, 20), (8, 8, 10),
        (8, 4, 5)
    ]
    assert len(_model().extract_feat(torch.randn(2, 3, 32, 40))) == 2


def _fcn(in_index, in_channels):
    return dict(
        type='FCNHead',
        in_channels=in_channels,
        in_index=in_index,
        channels=8,
        num_convs=1,
        num_classes=2,
        norm_cfg=dict(type='BN'),
        loss_decode=dict(type='CrossEntropyLoss', loss_weight=0.4))


@pytest.mark.parametrize('in_index, in_channels', [(1, 32), (-1, 8)])
def test_auxiliary_head_gets_backbone_features_only(in_index, in_channels):
    """An auxiliary head beside the spatial path trains, and whatever level
    it selects (even the last, ``in_index=-1``) is a feature map, never the
    raw image."""
    model = _model(
        spatial=True, auxiliary_head=_fcn(in_index, in_channels)).train()
    seen = []
    forward = model.auxiliary_head.forward
    model.auxiliary_head.forward = lambda feats: seen.append(
        feats[in_index]) or forward(feats)
    batch = _val_batch(32, 32)
    data = model.data_preprocessor(batch, True)
    losses = model.loss(data['inputs'], data['data_samples'])
    assert {'decode.loss_ce', 'decode.loss_dice', 'aux.loss_ce'} <= set(losses)
    assert seen[0].shape[1] == in_channels != 3
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    assert all(p.grad is not None for p in model.auxiliary_head.parameters()
               if p.requires_grad)


def test_spatial_path_runs_on_each_window_crop():
    """In sliding-window inference the backbone (spatial path included)
    receives the windows' crops of the image, batched."""
    model = _model(spatial=True, crop=32, stride=24, slide_batch_size=3)
    inputs = torch.randn(1, 3, 40, 60)
    seen = []
    forward = model.backbone.forward

    def spy(x):
        seen.append(x)
        return forward(x)

    model.backbone.forward = spy
    with torch.no_grad():
        model.slide_inference(inputs, [dict(img_shape=(40, 60))])
    crops = torch.cat(seen)
    # windows at rows 0, 8 and columns 0, 24, 28
    expected = [
        inputs[0, :, y:y + 32, x:x + 32] for y in (0, 8) for x in (0, 24, 28)
    ]
    assert [tuple(c.shape) for c in seen] == [(3, 3, 32, 32)] * 2
    torch.testing.assert_close(crops, torch.stack(expected))


def test_checkpoints_of_the_earlier_layout_load():
    """Weights saved when the spatial path lived in the head
    (``decode_head.detail_stem.*``) load into the backbone's spatial path,
    through mmengine's loader as through torch's."""
    from mmengine.runner.checkpoint import load_state_dict
    trained = _model(spatial=True)
    for p in trained.parameters():
        torch.nn.init.normal_(p)
    old = {
        k.replace('backbone.spatial_path.', 'decode_head.detail_stem.'): v
        for k, v in trained.state_dict().items()
    }
    assert any(k.startswith('decode_head.detail_stem.') for k in old)
    for load in (lambda m, sd: m.load_state_dict(sd, strict=True),
                 lambda m, sd: load_state_dict(m, sd, strict=True)):
        model = _model(spatial=True)
        load(model, dict(old))
        for key, value in trained.state_dict().items():
            assert torch.equal(model.state_dict()[key], value), key


def test_invalid_slide_batch_size():
    model = _model(slide_batch_size=0)
    with pytest.raises(ValueError, match='slide_batch_size'):
        model.slide_inference(
            torch.randn(1, 3, 40, 40), [dict(img_shape=(40, 40))])


def _val_batch(h=40, w=50):
    gt = torch.zeros(1, h, w, dtype=torch.long)
    gt[:, 10:14, :] = 1
    sample = SegDataSample(
        gt_sem_seg=PixelData(data=gt),
        metainfo=dict(img_shape=(h, w), ori_shape=(h, w), pad_shape=(h, w)))
    img = torch.randint(0, 255, (3, h, w), dtype=torch.uint8)
    return dict(inputs=[img], data_samples=[sample])


def test_val_step_returns_predictions_and_losses():
    model = _model()
    outputs = model.val_step(_val_batch())
    assert len(outputs) == 2
    pred, loss = outputs
    assert isinstance(loss, BaseDataElement) and loss.keys() == ['loss']
    assert set(loss.loss) == {'loss_ce', 'loss_dice'}
    assert all(v.ndim == 0 and v > 0 for v in loss.loss.values())
    assert pred.seg_logits.data.shape == (2, 40, 50)
    assert pred.pred_sem_seg.data.shape == (1, 40, 50)


def test_val_loss_is_computed_on_the_full_image_logits():
    """The logged val loss equals cross-entropy and Dice written out by hand
    on the full-image logits the step returns."""
    model = _model()
    batch = _val_batch()
    pred, loss = model.val_step(batch)
    logits = pred.seg_logits.data[None]  # (1, 2, H, W), before softmax
    gt = pred.gt_sem_seg.data.long()  # (1, H, W)
    ce = -logits.log_softmax(1).gather(1, gt[:, None]).mean()
    vessel = logits.softmax(1)[:, 1].flatten()
    target = (gt == 1).float().flatten()
    eps = 1e-3  # mmseg's DiceLoss default
    dice = 1 - (2 * (vessel * target).sum() + eps) / (
        vessel.sum() + target.sum() + eps)
    torch.testing.assert_close(loss.loss['loss_ce'], ce)
    torch.testing.assert_close(loss.loss['loss_dice'], dice)


def test_tta_merge_averages_probabilities_on_the_unflipped_view():
    init_default_scope('mmseg')
    tta = MODELS.build(dict(type='FundusTTAModel', module=_model()))
    logits_a = torch.randn(2, 4, 5)
    logits_b = torch.randn(2, 4, 5)
    fov = PixelData(data=torch.ones(1, 4, 5))
    views = [
        SegDataSample(seg_logits=PixelData(data=logits_a), gt_fov_mask=fov),
        SegDataSample(seg_logits=PixelData(data=logits_b))
    ]
    merged = tta.merge_preds([views])[0]
    prob = (logits_a.softmax(0) + logits_b.softmax(0)) / 2
    torch.testing.assert_close(merged.seg_logits.data.softmax(0), prob)
    assert torch.equal(merged.pred_sem_seg.data, prob.argmax(0,
                                                             keepdim=True))
    assert 'gt_fov_mask' in merged


def _av_logits():
    """Four-class logits (background, artery, vein, crossing) of one vein
    bar with a run of artery-looking pixels inside it."""
    logits = torch.zeros(1, 4, 12, 40)
    logits[0, 2, 4:7, 2:38] = 2.0
    logits[0, 1, 4:7, 10:14] = 3.0
    return logits


def test_av_segment_vote_of_test_cfg_decides_per_segment():
    model = _model()
    meta = dict(img_shape=(12, 40), ori_shape=(12, 40), pad_shape=(12, 40))
    plain = model.postprocess_result(_av_logits(), [SegDataSample(
        metainfo=meta)])[0]
    assert (plain.pred_sem_seg.data[0, 4:7, 10:14] == 1).all()
    model.test_cfg.av_segment_vote = dict(artery=1, vein=2)
    voted = model.postprocess_result(_av_logits(), [SegDataSample(
        metainfo=meta)])[0]
    pred = voted.pred_sem_seg.data
    assert pred.shape == (1, 12, 40)
    assert (pred[0, 4:7, 2:38] == 2).all() and (pred[0, :4] == 0).all()
    assert torch.equal(voted.seg_logits.data.argmax(0, keepdim=True), pred)
