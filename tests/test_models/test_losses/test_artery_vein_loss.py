import math

import pytest
import torch

from setr_fundus.models.losses import ArteryVeinLoss


def label_with_every_class() -> torch.Tensor:
    """A (1, 4, 5) label: background, artery, vein, crossing, ignored."""
    label = torch.zeros(1, 4, 5, dtype=torch.long)
    label[0, 0] = 1
    label[0, 1] = 2
    label[0, 2, :2] = 3
    label[0, 2, 2:] = 255
    return label


def test_the_loss_is_the_two_class_cross_entropy_of_artery_against_vein():
    label = label_with_every_class()
    logits = torch.zeros(1, 4, 4, 5)
    logits[:, 1] = 2.0  # artery logit 2, vein logit 0 everywhere
    loss = ArteryVeinLoss()(logits, label)
    # 5 arteries at log(1 + e^-2), 5 veins at log(1 + e^2), averaged
    expected = (math.log1p(math.exp(-2)) + math.log1p(math.exp(2))) / 2
    assert loss.item() == pytest.approx(expected, rel=1e-5)


def test_only_artery_and_vein_pixels_and_their_two_logits_count():
    label = label_with_every_class()
    logits = torch.randn(1, 4, 4, 5)
    changed = logits.clone()
    changed[:, 0] = torch.randn(4, 5) * 10  # background logit anywhere
    changed[:, :, 2:] = torch.randn(4, 2, 5) * 10  # crossing, ignored, bg
    loss = ArteryVeinLoss(loss_weight=3.0)
    assert loss(changed, label).item() == pytest.approx(
        loss(logits, label).item(), rel=1e-5)


def test_a_right_decision_costs_little_and_a_swap_much():
    label = label_with_every_class()
    right = torch.zeros(1, 4, 4, 5)
    right[0, 1, 0], right[0, 2, 1] = 20.0, 20.0
    swapped = torch.zeros(1, 4, 4, 5)
    swapped[0, 2, 0], swapped[0, 1, 1] = 20.0, 20.0
    loss = ArteryVeinLoss()
    assert loss(right, label).item() < 1e-6
    assert loss(swapped, label).item() == pytest.approx(20.0, rel=1e-5)


def test_a_batch_without_arteries_or_veins_gives_zero_and_a_gradient():
    label = torch.zeros(2, 4, 5, dtype=torch.long)
    logits = torch.randn(2, 4, 4, 5, requires_grad=True)
    loss = ArteryVeinLoss()(logits, label)
    loss.backward()
    assert loss.item() == 0
    assert torch.equal(logits.grad, torch.zeros_like(logits))


def test_sampler_weights_scale_each_pixel_and_the_name_is_logged():
    label = label_with_every_class()
    logits = torch.zeros(1, 4, 4, 5)
    weight = torch.ones(1, 4, 5)
    weight[0, 1] = 0  # the veins weigh nothing
    loss = ArteryVeinLoss(loss_name='loss_type')
    assert loss(logits, label, weight=weight).item() == pytest.approx(
        math.log(2) / 2, rel=1e-5)
    assert loss.loss_name == 'loss_type'
