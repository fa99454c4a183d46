import pytest
import torch
from mmseg.models.losses import DiceLoss

from setr_fundus.models.losses import ClassMeanDiceLoss


def logits_of(label: torch.Tensor, num_classes: int = 3) -> torch.Tensor:
    """Logits (1, C, H, W) whose softmax is near one-hot at ``label``."""
    one_hot = torch.nn.functional.one_hot(label.clamp(max=num_classes - 1),
                                          num_classes)
    return (one_hot.permute(2, 0, 1)[None].float() * 2 - 1) * 20


def two_vessels(artery_width: int, vein_width: int) -> torch.Tensor:
    """A (1, 32, 32) label: an artery (1) and a vein (2) as vertical bars."""
    label = torch.zeros(1, 32, 32, dtype=torch.long)
    label[0, :, 4:4 + artery_width] = 1
    label[0, :, 16:16 + vein_width] = 2
    return label


def test_a_perfect_prediction_scores_zero_and_a_swap_one():
    label = two_vessels(2, 6)
    loss = ClassMeanDiceLoss(use_sigmoid=False, naive_dice=True,
                             ignore_index=0)
    assert loss(logits_of(label[0]), label).item() == pytest.approx(
        0, abs=1e-3)
    swapped = label.clone()
    swapped[label == 1], swapped[label == 2] = 2, 1
    assert loss(logits_of(swapped[0]), label).item() == pytest.approx(
        1, abs=1e-3)


def test_each_class_weighs_the_same_unlike_pooled_dice():
    # the thin artery called vein: pooled Dice loses 2 of 8 vessel columns,
    # the class mean loses the artery's Dice whole (half the loss)
    label = two_vessels(2, 6)
    prediction = label[0].clone()
    prediction[label[0] == 1] = 2
    kwargs = dict(use_sigmoid=False, naive_dice=True, ignore_index=0)
    pooled = DiceLoss(**kwargs)(logits_of(prediction), label).item()
    class_mean = ClassMeanDiceLoss(**kwargs)(logits_of(prediction),
                                             label).item()
    # vein Dice 2*6/(8+6) = 6/7; artery 0
    assert class_mean == pytest.approx((1 + 1 / 7) / 2, abs=1e-3)
    assert pooled == pytest.approx(1 - 2 * 6 / 16, abs=1e-3)


def test_ignored_labels_are_background_in_every_class():
    label = two_vessels(2, 6)
    label[0, :, 28:] = 255
    prediction = label[0].clone()
    prediction[:, 28:] = 0
    loss = ClassMeanDiceLoss(use_sigmoid=False, naive_dice=True,
                             ignore_index=0, loss_weight=3.0)
    assert loss(logits_of(prediction), label).item() == pytest.approx(
        0, abs=1e-3)


@pytest.mark.parametrize('channels, kwargs', [
    (2, dict(use_sigmoid=False, ignore_index=0)),
    (1, dict(use_sigmoid=True)),
])
def test_one_kept_class_is_mmseg_dice(channels, kwargs):
    # with a single class kept, the mean over classes is DiceLoss itself
    torch.manual_seed(0)
    logits = torch.randn(2, channels, 16, 16)
    label = torch.randint(0, 2, (2, 16, 16))
    expected = DiceLoss(naive_dice=True, **kwargs)(logits, label)
    assert ClassMeanDiceLoss(naive_dice=True, **kwargs)(
        logits, label).item() == pytest.approx(expected.item(), rel=1e-5)
