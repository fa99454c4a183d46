import copy

import pytest
import torch
from mmengine.config import ConfigDict
from mmengine.registry import init_default_scope
from mmengine.structures import BaseDataElement, PixelData
from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

TINY_VIT = dict(
    type='VFMViT',
    arch=dict(
        embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64),
    img_size=32,
    patch_size=8,
    out_indices=(0, 1),
    init_cfg=None)


def _model(slide_batch_size=8, crop=32, stride=24, detail=False):
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
            backbone=TINY_VIT,
            decode_head=dict(
                type='VesselMLAHead',
                in_channels=(32, 32),
                patch_size=8,
                mla_channels=16,
                num_classes=2,
                norm_cfg=dict(type='BN'),
                detail_channels=(4, 4, 8, 8) if detail else None,
                loss_decode=[
                    dict(type='CrossEntropyLoss', loss_weight=1.0),
                    dict(type='DiceLoss', use_sigmoid=False, ignore_index=0,
                         naive_dice=True)
                ]),
            test_cfg=ConfigDict(
                mode='slide',
                crop_size=(crop, crop),
                stride=(stride, stride),
                slide_batch_size=slide_batch_size)))
    model.init_weights()
    return model.eval()


@pytest.mark.parametrize('size', [(73, 58), (32, 32), (20, 50)])
@pytest.mark.parametrize('batch', [1, 2])
@pytest.mark.parametrize('chunk', [1, 3, 64])
@pytest.mark.parametrize('detail', [False, True])
def test_batched_slide_equals_mmseg(size, batch, chunk, detail):
    model = _model(slide_batch_size=chunk, detail=detail)
    inputs = torch.randn(batch, 3, *size)
    metas = [dict(img_shape=size, ori_shape=size) for _ in range(batch)]
    with torch.no_grad():
        ours = model.slide_inference(inputs, copy.deepcopy(metas))
        ref = EncoderDecoder.slide_inference(model, inputs,
                                             copy.deepcopy(metas))
    assert ours.shape == (batch, 2, *size)
    torch.testing.assert_close(ours, ref, atol=1e-4, rtol=0)


@pytest.mark.parametrize('detail', [False, True])
def test_image_reaches_the_head_only_with_a_detail_path(detail):
    model = _model(detail=detail)
    inputs = torch.randn(2, 3, 32, 32)
    feats = model.extract_feat(inputs)
    assert len(feats) == 2 + detail
    if detail:
        assert feats[-1] is inputs


def test_detail_head_gets_each_window_crop():
    """In sliding-window inference the head receives the windows' crops of
    the image, batched like the features."""
    model = _model(detail=True, crop=32, stride=24, slide_batch_size=3)
    inputs = torch.randn(1, 3, 40, 60)
    seen = []
    forward = model.decode_head.forward

    def spy(feats):
        seen.append(feats[-1])
        return forward(feats)

    model.decode_head.forward = spy  # predict() calls forward directly
    with torch.no_grad():
        model.slide_inference(inputs, [dict(img_shape=(40, 60))])
    crops = torch.cat(seen)
    # windows at rows 0, 8 and columns 0, 24, 28
    expected = [
        inputs[0, :, y:y + 32, x:x + 32] for y in (0, 8) for x in (0, 24, 28)
    ]
    assert [tuple(c.shape) for c in seen] == [(3, 3, 32, 32)] * 2
    torch.testing.assert_close(crops, torch.stack(expected))


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


def test_val_loss_is_the_head_loss_on_full_image_logits():
    model = _model()
    batch = _val_batch()
    loss = model.val_step(batch)[-1].loss
    data = model.data_preprocessor(batch, False)
    logits = model.inference(data['inputs'],
                             [s.metainfo for s in data['data_samples']])
    expected = model.decode_head.loss_by_feat(logits, data['data_samples'])
    for key in ('loss_ce', 'loss_dice'):
        torch.testing.assert_close(loss[key], expected[key])


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
