import numpy as np
import pytest
import torch

from setr_fundus.models.utils import (av_segment_vote, straight_continuations,
                                      vessel_segments)

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


def _fork(angle: float) -> np.ndarray:
    """A 3 px wide parent vessel from the left to the centre of a 61x61
    image, where it forks into two straight branches ``angle`` degrees
    above and below its own direction."""
    rows, cols = np.mgrid[:61, :61]
    vessel = (np.abs(rows - 30) <= 1) & (cols <= 30)
    for sign in (1, -1):
        t = np.radians(sign * angle)
        along = (cols - 30) * np.cos(t) - (rows - 30) * np.sin(t)
        across = (cols - 30) * np.sin(t) + (rows - 30) * np.cos(t)
        vessel |= (along >= 0) & (np.abs(across) <= 1.5)
    return vessel


def test_a_crossing_joins_each_vessels_two_arms():
    vessels = straight_continuations(_cross(), max_bend=30)
    left, right, top, bottom = (vessels[20, 5], vessels[20, 35],
                                vessels[5, 20], vessels[35, 20])
    assert left == right and top == bottom and left != top
    assert 0 not in (left, top)
    assert (vessels > 0).sum() == _cross().sum()


@pytest.mark.parametrize('angle, max_bend, joined', [(45, 30, 0), (45, 60, 1),
                                                     (20, 30, 1)])
def test_a_fork_joins_the_parent_with_one_branch_within_max_bend(
        angle, max_bend, joined):
    vessels = straight_continuations(_fork(angle), max_bend=max_bend)
    rise = round(25 * np.sin(np.radians(angle)))
    run = round(25 * np.cos(np.radians(angle)))
    parent = vessels[30, 5]
    upper, lower = vessels[30 - rise, 30 + run], vessels[30 + rise, 30 + run]
    assert 0 not in (parent, upper, lower)
    assert upper != lower  # the branches bend 2 x angle from each other
    assert (parent == upper) + (parent == lower) == joined


def test_a_vessel_votes_across_the_crossing_with_max_bend():
    """The right arm of a vein leans artery a little; the vein's left arm
    and the artery crossing it are clear. One vote per segment keeps the
    right arm artery; joined through the crossing, it is vein."""
    vessel = _cross()
    classes = np.where(vessel, VEIN, BACKGROUND)
    classes[2:39, 19:22] = ARTERY
    logits = _logits(classes)
    right = torch.zeros(vessel.shape, dtype=torch.bool)
    right[19:22, 22:39] = True
    logits[ARTERY][right], logits[VEIN][right] = 2.0, 1.5
    by_segment = av_segment_vote(logits, ARTERY, VEIN).argmax(0)
    by_vessel = av_segment_vote(logits, ARTERY, VEIN, max_bend=30).argmax(0)
    assert (by_segment[19:22, 26:39] == ARTERY).all()
    assert (by_vessel[19:22, 26:39] == VEIN).all()
    assert (by_vessel[2:15, 19:22] == ARTERY).all()
    assert (by_vessel[26:39, 19:22] == ARTERY).all()


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


def test_the_given_logits_are_left_unchanged():
    vessel = np.zeros((9, 30), bool)
    vessel[3:6, 2:28] = True
    logits = _logits(np.where(vessel, ARTERY, BACKGROUND))
    logits[VEIN][3:6, 2:10] = 4.0
    given = logits.clone()
    voted = av_segment_vote(logits, artery=ARTERY, vein=VEIN)
    assert not torch.equal(voted, given)
    torch.testing.assert_close(logits, given, rtol=0, atol=0)


@pytest.mark.parametrize('shape, artery, vein', [((2, 5, 5), 1, 2),
                                                 ((4, 5), 1, 2)])
def test_bad_logits_are_named(shape, artery, vein):
    with pytest.raises(ValueError, match='artery=1 and vein=2'):
        av_segment_vote(torch.zeros(shape), artery=artery, vein=vein)
