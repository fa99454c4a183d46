import pytest
import torch

from setr_fundus.models.utils import class_probabilities


def test_softmax_over_any_number_of_classes():
    for channels in (2, 3, 5):
        logits = torch.randn(channels, 4, 3)
        prob = class_probabilities(logits)
        torch.testing.assert_close(prob, logits.softmax(dim=0))
        torch.testing.assert_close(prob.sum(0), torch.ones(4, 3))


def test_one_channel_holds_the_class_1_probability():
    # mmseg's postprocess_result stores the sigmoid for one-channel heads
    logits = torch.randn(1, 4, 3)
    prob = class_probabilities(logits.sigmoid())
    assert prob.shape == (2, 4, 3)
    torch.testing.assert_close(prob[1], logits[0].sigmoid())
    torch.testing.assert_close(prob[0], 1 - logits[0].sigmoid())
    # the same vessel probability as two logits (0, x)
    two = class_probabilities(torch.cat([torch.zeros_like(logits), logits]))
    torch.testing.assert_close(prob, two)


def test_needs_a_class_axis():
    with pytest.raises(ValueError, match='class axis'):
        class_probabilities(torch.tensor(0.5))
    with pytest.raises(ValueError, match='class axis'):
        class_probabilities(torch.zeros(0, 2, 2))
