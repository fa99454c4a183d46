import pytest
import torch
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from torch import nn


class _Head(nn.Module):
    threshold = 0.3


class _Segmentor(nn.Module):
    """What FundusTTAModel.merge_preds reads of the wrapped model (and the
    test_step mmengine's TTA wrapper asks for)."""

    def __init__(self, test_cfg=None) -> None:
        super().__init__()
        self.decode_head = _Head()
        self.test_cfg = test_cfg

    def test_step(self, data: dict) -> list:
        raise NotImplementedError


def _merge(*view_logits: torch.Tensor, test_cfg=None) -> SegDataSample:
    init_default_scope('mmseg')
    tta = MODELS.build(
        dict(type='FundusTTAModel', module=_Segmentor(test_cfg)))
    fov = PixelData(data=torch.ones(1, 4, 5))
    views = [
        SegDataSample(
            seg_logits=PixelData(data=view_logits[0]), gt_fov_mask=fov)
    ]
    views += [
        SegDataSample(seg_logits=PixelData(data=logits))
        for logits in view_logits[1:]
    ]
    return tta.merge_preds([views])[0]


@pytest.mark.parametrize('channels', [2, 3])
def test_averages_softmax_probabilities(channels):
    logits = [torch.randn(channels, 4, 5) for _ in range(3)]
    merged = _merge(*logits)
    prob = sum(x.softmax(0) for x in logits) / 3
    torch.testing.assert_close(merged.seg_logits.data.softmax(0), prob)
    assert torch.equal(merged.pred_sem_seg.data, prob.argmax(0, keepdim=True))
    assert 'gt_fov_mask' in merged  # built on the first, unflipped view


def test_one_channel_keeps_the_probability_and_the_threshold():
    # one-channel views hold probabilities (mmseg applied the sigmoid)
    probs = [torch.rand(1, 4, 5) for _ in range(2)]
    merged = _merge(*probs)
    mean = (probs[0] + probs[1]) / 2
    assert merged.seg_logits.data.shape == (1, 4, 5)
    torch.testing.assert_close(merged.seg_logits.data, mean)
    torch.testing.assert_close(merged.pred_sem_seg.data,
                               (mean > _Head.threshold).float())


def test_artery_vein_vote_after_averaging():
    """With the module's av_segment_vote, the merged map takes one
    artery/vein decision per vessel segment: two views that each call part
    of a vein bar artery (different parts) merge into a vein bar."""
    views = []
    for start in (4, 20):
        logits = torch.zeros(4, 9, 40)
        logits[2, 3:6, 2:38] = 2.0
        logits[1, 3:6, start:start + 6] = 6.0
        views.append(logits)
    plain = _merge(*views).pred_sem_seg.data[0]
    assert (plain[3:6, 4:10] == 1).all()
    voted = _merge(
        *views, test_cfg=dict(av_segment_vote=dict(artery=1, vein=2)))
    pred = voted.pred_sem_seg.data[0]
    assert (pred[3:6, 2:38] == 2).all() and (pred[:3] == 0).all()
    assert torch.equal(voted.seg_logits.data.argmax(0), pred)
