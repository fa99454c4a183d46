import numpy as np
import pytest
import torch

from setr_fundus.models.utils import av_segment_vote, vessel_segments

BACKGROUND, ARTERY, VEIN, CROSSING = range(4)


def _logits(classes: np.ndarray, margin: float = 2.0) -> torch.Tensor:
    """Four-class logits whose arg-max is ``classes``, every other class
    ``margin`` below it."""
    logits = np.zeros((4, ) + classes.shape, np.float32)
    for c in range(4):
        logits[c][classes == c] = margin
    return torch.from_numpy(logits)


def _cross() -> np.ndarray:
    """A horizontal and a vertical vessel, 3 px wide, crossing at the
    centre of a 41x41 image: four arms from one junction."""
    vessel = np.zeros((41, 41), bool)
    vessel[19:22, 2:39] = True
    vessel[2:39, 19:22] = True
    return vessel


def test_segments_are_cut_at_the_junction():
    segments = vessel_segments(_cross())
    arms = [segments[20, 5], segments[20, 35], segments[5, 20],
            segments[35, 20]]
    assert len(set(arms)) == 4 and 0 not in arms
    assert (segments > 0).sum() == _cross().sum()
    # every pixel of an arm away from the junction has the arm's label
    assert (segments[19:22, 2:15] == segments[20, 5]).all()


def test_a_piece_without_junction_is_one_segment_and_background_is_zero():
    vessel = np.zeros((20, 30), bool)
    vessel[5:8, 3:27] = True
    vessel[14:16, 3:10] = True
    segments = vessel_segments(vessel)
    assert np.unique(segments[vessel]).size == 2
    assert (segments[~vessel] == 0).all()
    assert not vessel_segments(np.zeros((8, 8), bool)).any()


def test_the_majority_of_a_segment_decides_its_pixels():
    """A vein arm with a few artery-looking pixels becomes vein throughout;
    the other arms keep their own type."""
    vessel = _cross()
    classes = np.where(vessel, VEIN, BACKGROUND)
    classes[19:22, 22:39] = ARTERY  # right arm artery
    classes[20, 5:9] = ARTERY  # noise in the left (vein) arm
    logits = _logits(classes)
    voted = av_segment_vote(logits, artery=ARTERY, vein=VEIN)
    pred = voted.argmax(0).numpy()
    assert (pred[19:22, 2:15] == VEIN).all()
    assert (pred[19:22, 26:39] == ARTERY).all()
    assert (pred[2:15, 19:22] == VEIN).all()
    assert (pred[~vessel] == BACKGROUND).all()


def test_only_artery_and_vein_swap():
    """Background, crossing and the vessel/background decision keep their
    logits and arg-max; the winner of artery/vein keeps its logit."""
    rng = np.random.default_rng(0)
    vessel = _cross()
    classes = np.where(vessel, rng.choice([ARTERY, VEIN], vessel.shape),
                       BACKGROUND)
    classes[20, 20] = CROSSING
    logits = _logits(classes) + torch.from_numpy(
        rng.normal(0, 0.3, (4, ) + vessel.shape).astype(np.float32))
    voted = av_segment_vote(logits, artery=ARTERY, vein=VEIN)
    for c in (BACKGROUND, CROSSING):
        assert torch.equal(voted[c], logits[c])
    before, after = logits.argmax(0), voted.argmax(0)
    assert torch.equal(before == BACKGROUND, after == BACKGROUND)
    assert torch.equal(before == CROSSING, after == CROSSING)
    torch.testing.assert_close(voted[[ARTERY, VEIN]].max(0).values,
                               logits[[ARTERY, VEIN]].max(0).values)
    off = torch.from_numpy(~vessel)
    assert torch.equal(voted[:, off], logits[:, off])
    assert voted.dtype == logits.dtype


def test_the_vote_is_the_mean_log_odds():
    vessel = np.zeros((9, 30), bool)
    vessel[3:6, 2:28] = True
    logits = _logits(np.where(vessel, ARTERY, BACKGROUND))
    logits[ARTERY][torch.from_numpy(vessel)] = torch.linspace(0, 3, 78)
    logits[VEIN][torch.from_numpy(vessel)] = 1.0
    voted = av_segment_vote(logits, artery=ARTERY, vein=VEIN)
    mean = float((torch.linspace(0, 3, 78) - 1.0).mean())
    diff = (voted[ARTERY] - voted[VEIN])[torch.from_numpy(vessel)]
    torch.testing.assert_close(diff, torch.full_like(diff, mean))


@pytest.mark.parametrize('shape, artery, vein', [((2, 5, 5), 1, 2),
                                                 ((4, 5), 1, 2)])
def test_bad_logits_are_named(shape, artery, vein):
    with pytest.raises(ValueError, match='artery=1 and vein=2'):
        av_segment_vote(torch.zeros(shape), artery=artery, vein=vein)
