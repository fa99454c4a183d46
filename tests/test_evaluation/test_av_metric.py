from typing import Optional

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from mmseg.registry import METRICS

from setr_fundus.evaluation import AVMetric

# Hand example (0 background, 1 artery, 2 vein, 3 crossing/uncertain, 255
# ignored). ARTERY_DECISION marks pixels whose artery logit is at least the
# vein logit; PRED is the arg-max class.
LABEL = torch.tensor([[1, 1, 2, 2], [1, 3, 2, 0], [0, 0, 255, 2]])
PRED = torch.tensor([[1, 2, 2, 0], [0, 3, 1, 1], [0, 2, 1, 2]])
ARTERY_DECISION = torch.tensor([[1, 0, 0, 1], [1, 1, 1, 1], [1, 0, 1, 0]])
# By hand, over ground-truth artery/vein pixels (artery positive):
# "all" (7 px): tp (0,0) (1,0); fn (0,1); fp (0,3) (1,2); tn (0,2) (2,3)
# "intersection" (predicted vessel, 5 px): tp (0,0); fn (0,1); fp (1,2);
# tn (0,2) (2,3)
# artery Dice (unknown and ignored pixels out): tp 1, fp 2, fn 2 -> 2/6
# vein Dice: tp 2, fp 2, fn 2 -> 4/8
# vessel union (label 1-3 vs predicted 1-3, ignored out): tp 6, fp 2, fn 2
# AUC_AV: artery log-odds of arteries 5, -5, 1 against veins -5, 1, 5, -5:
# 7 of 12 pairs (ties count a half)
EXPECTED = dict(
    Acc_AV=57.14,
    Se_AV=66.67,
    Sp_AV=50.0,
    AUC_AV=58.33,
    Acc_AV_int=60.0,
    Se_AV_int=50.0,
    Sp_AV_int=66.67,
    AV_detected=71.43,
    Dice_artery=33.33,
    Dice_vein=50.0,
    Dice_vessel=75.0)


def _logits(pred: torch.Tensor, artery_decision: torch.Tensor,
            num_classes: int = 4) -> torch.Tensor:
    """Logits whose arg-max is ``pred`` and whose artery-vs-vein decision
    is ``artery_decision``: the arg-max class 5; where it is background,
    artery 1 and vein 0 (or the reverse)."""
    logits = torch.zeros(num_classes, *pred.shape)
    logits.scatter_(0, pred[None], 5.0)
    background = pred == 0
    logits[1][background] = artery_decision[background].float()
    logits[2][background] = 1 - artery_decision[background].float()
    return logits


def _sample(pred: torch.Tensor,
            label: torch.Tensor,
            logits: Optional[torch.Tensor] = None,
            fov: Optional[torch.Tensor] = None) -> dict:
    if logits is None:  # the hand example's decisions, else all artery
        decision = ARTERY_DECISION if pred.shape == PRED.shape else \
            torch.ones_like(pred)
        logits = _logits(pred, decision)
    sample = dict(
        pred_sem_seg=dict(data=pred[None]),
        seg_logits=dict(data=logits),
        gt_sem_seg=dict(data=label[None]))
    if fov is not None:
        sample['gt_fov_mask'] = dict(data=fov[None])
    return sample


def _evaluate(samples: list, **kwargs) -> dict:
    metric = AVMetric(**kwargs)
    metric.process({}, samples)
    return metric.evaluate(len(samples))


def test_hand_example():
    assert _evaluate([_sample(PRED, LABEL)]) == EXPECTED


def test_registered_and_exported():
    init_default_scope('mmseg')
    assert isinstance(METRICS.build(dict(type='AVMetric')), AVMetric)


def test_tie_is_artery_and_crossing_prediction_is_vessel():
    """Equal artery and vein logits classify as artery; a pixel predicted
    crossing/uncertain (3) is vessel for the union and "intersection"."""
    label = torch.tensor([[1, 2]])
    pred = torch.tensor([[3, 3]])
    logits = torch.zeros(4, 1, 2)
    logits[3] = 5.0
    result = _evaluate([_sample(pred, label, logits)])
    assert (result['Se_AV'], result['Sp_AV']) == (100.0, 0.0)
    assert result['AV_detected'] == 100.0
    assert result['Dice_vessel'] == 100.0
    # no pixel predicted artery or vein
    assert result['Dice_artery'] == result['Dice_vein'] == 0.0


def test_counts_are_pooled_over_images():
    """Two images give the figures of their pooled counts, not the mean of
    their figures: an all-correct image of 1 artery pixel and the hand
    example give "all" tp 3, fn 1, fp 2, tn 2."""
    perfect = _sample(torch.tensor([[1]]), torch.tensor([[1]]))
    result = _evaluate([_sample(PRED, LABEL), perfect])
    assert result['Acc_AV'] == round(500 / 8, 2)
    assert result['Se_AV'] == 75.0
    assert result['Dice_artery'] == round(400 / 8, 2)


def test_fov_and_ignore_index_leave_pixels_out():
    """Outside the FOV (here the last column) and ignored pixels count
    nowhere: "all" loses (0,3) fp and (2,3) tn."""
    fov = torch.ones_like(LABEL)
    fov[:, 3] = 0
    result = _evaluate([_sample(PRED, LABEL, fov=fov)])
    assert result['Acc_AV'] == 60.0  # tp 2, fn 1, fp 1, tn 1
    assert result['Sp_AV'] == 50.0
    # the ignored pixel (2, 2), predicted artery, adds no false positive
    moved = LABEL.clone()
    moved[2, 2] = 0
    assert _evaluate([_sample(PRED, moved)])['Dice_artery'] < \
        EXPECTED['Dice_artery']


def test_three_channel_head():
    """A head without the crossing/uncertain class (C = 3) is scored the
    same way."""
    pred = PRED.clamp(max=2)
    logits = _logits(pred, ARTERY_DECISION, num_classes=3)
    result = _evaluate([_sample(pred, LABEL, logits)])
    assert result['Acc_AV'] == EXPECTED['Acc_AV']


def test_result_size_does_not_depend_on_image_size():
    metric = AVMetric()
    small = _sample(PRED, LABEL)
    big_label = LABEL.repeat(20, 20)
    big_pred = PRED.repeat(20, 20)
    big = _sample(big_pred, big_label,
                  _logits(big_pred, ARTERY_DECISION.repeat(20, 20)))
    metric.process({}, [small, big])
    sizes = [{k: np.asarray(v).size
              for k, v in r.items()} for r in metric.results]
    assert sizes[0] == sizes[1]
    # 400 copies of the example: the same ratios
    assert metric.evaluate(2)['Acc_AV'] == EXPECTED['Acc_AV']


def test_auc_undefined_without_veins_is_nan():
    label = torch.tensor([[1, 0]])
    result = _evaluate([_sample(torch.tensor([[1, 0]]), label)])
    assert np.isnan(result['AUC_AV'])
    assert result['Acc_AV'] == 100.0


@pytest.mark.parametrize('kwargs', [
    dict(unknown_index=1),
    dict(ignore_index=0),
    dict(ignore_index=True),
    dict(unknown_index=255),
    dict(num_bins=1),
    dict(logit_range=0),
    dict(logit_range=float('inf')),
])
def test_invalid_arguments(kwargs):
    with pytest.raises(ValueError):
        AVMetric(**kwargs)


def test_label_value_outside_classes_is_refused():
    label = LABEL.clone()
    label[0, 0] = 4
    with pytest.raises(ValueError, match=r'values'):
        _evaluate([_sample(PRED, label)])


def test_two_channel_logits_are_refused():
    logits = torch.zeros(2, *PRED.shape)
    with pytest.raises(ValueError, match='C >= 3'):
        _evaluate([_sample(PRED, LABEL, logits)])


def test_shape_mismatch_is_refused():
    with pytest.raises(ValueError, match='same'):
        _evaluate([_sample(PRED, LABEL[:, :3])])


def test_missing_field_is_named():
    sample = _sample(PRED, LABEL)
    del sample['seg_logits']
    with pytest.raises(KeyError, match='seg_logits'):
        _evaluate([sample])


def test_no_samples():
    with pytest.raises(ValueError, match='no data samples'):
        AVMetric().compute_metrics([])
