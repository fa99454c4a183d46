import pytest
import torch

from setr_fundus.models.losses import SoftClDiceLoss
from setr_fundus.models.losses.soft_cldice_loss import soft_skeleton


def bars(height: int, width: int, *columns_and_widths) -> torch.Tensor:
    """Vertical bars: label (H, W) with 1 in [column, column + width)."""
    label = torch.zeros(height, width, dtype=torch.long)
    for column, bar_width in columns_and_widths:
        label[4:-4, column:column + bar_width] = 1
    return label


def logits_of(label: torch.Tensor, confidence: float = 20.0) -> torch.Tensor:
    """Two-channel logits (1, 2, H, W) whose argmax is ``label``."""
    vessel = (label == 1).float() * 2 - 1
    return torch.stack([-vessel, vessel])[None] * confidence / 2


def test_soft_skeleton_is_a_thin_ridge_inside_the_bar():
    label = bars(40, 40, (15, 9)).float()[None, None]
    skeleton = soft_skeleton(label, num_iter=5)
    assert skeleton.max() == 1
    # inside the bar, on (about) its middle column only
    assert skeleton[label == 0].sum() == 0
    columns = skeleton[0, 0, 10:30].sum(0).nonzero().flatten().tolist()
    assert columns == [19]


def test_a_perfect_prediction_scores_zero_and_its_complement_one():
    label = bars(40, 40, (5, 1), (20, 6))[None]
    loss = SoftClDiceLoss()
    perfect = loss(logits_of(label[0]), label)
    assert perfect.item() == pytest.approx(0, abs=1e-3)
    assert loss(logits_of(1 - label[0]), label).item() > 0.9


def test_a_missed_thin_vessel_costs_more_than_a_narrower_wide_one():
    # what Dice prefers the other way round: drawing the wide vessel at its
    # width and dropping the thin one overlaps more pixels
    label = bars(48, 48, (5, 1), (20, 9))[None]
    thin_missed = bars(48, 48, (20, 9))
    both_narrower = bars(48, 48, (5, 1), (21, 7))
    loss = SoftClDiceLoss()
    assert loss(logits_of(both_narrower), label) < loss(
        logits_of(thin_missed), label)

    def dice(pred):
        return 2 * (pred * label[0]).sum() / (pred.sum() + label[0].sum())

    assert dice(thin_missed) > dice(both_narrower)


def test_ignored_pixels_count_for_nothing():
    label = bars(40, 40, (10, 3))[None]
    prediction = label[0].clone()
    label[:, :, 30:] = 255
    prediction[:, 30:] = 1  # vessel predicted where the label is ignored
    loss = SoftClDiceLoss()
    assert loss(logits_of(prediction), label).item() == pytest.approx(
        0, abs=1e-3)


def test_the_gradient_raises_the_missed_vessel():
    label = bars(40, 40, (5, 1), (20, 6))[None]
    logits = logits_of(bars(40, 40, (20, 6)), confidence=2.0)
    logits.requires_grad_(True)
    SoftClDiceLoss(loss_weight=2.0)(logits, label).backward()
    # descending the loss raises the vessel logit on the thin vessel
    assert (logits.grad[0, 1, 10:30, 5] < 0).all()


def test_built_from_a_head_config_with_its_name_and_weight():
    from mmseg.registry import MODELS

    loss = MODELS.build(
        dict(type='SoftClDiceLoss', num_iter=3, loss_weight=0.5))
    assert loss.loss_name == 'loss_cldice'
    label = bars(24, 24, (10, 3))[None]
    unweighted = SoftClDiceLoss(num_iter=3)
    torch.testing.assert_close(
        loss(logits_of(1 - label[0]), label),
        0.5 * unweighted(logits_of(1 - label[0]), label))
    with pytest.raises(ValueError, match='num_iter'):
        SoftClDiceLoss(num_iter=-1)
    with pytest.raises(ValueError, match='1 channel'):
        loss(torch.zeros(1, 1, 24, 24), label)
