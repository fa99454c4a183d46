"""Zone B and the vessels crossing it, on drawn shapes."""
import math

import numpy as np
import pytest

from setr_fundus.evaluation.vessel_calibre import measure_segments
from setr_fundus.evaluation.zone_b import (DiscCircle, zone_b_mask,
                                           zone_b_vessels)
from tests.test_evaluation.calibre_drawings import draw_bar

SIDE = 260
DISC = DiscCircle(cx=130.2, cy=130.3, radius=20.0)  # zone B: 40 .. 60 px


def _radial(angle, start, stop, width, origin=(DISC.cy, DISC.cx)):
    theta = math.radians(angle)
    middle = (start + stop) / 2
    centre = (origin[0] - middle * math.sin(theta),
              origin[1] + middle * math.cos(theta))
    return draw_bar((SIDE, SIDE), centre, angle, stop - start, width, False)


def test_zone_b_mask_is_the_ring_from_2r_to_3r():
    mask = zone_b_mask((SIDE, SIDE), DISC)
    row = int(round(DISC.cy))
    cols = np.flatnonzero(mask[row])
    right = cols[cols > DISC.cx] - DISC.cx
    assert right.min() == pytest.approx(40, abs=1)
    assert right.max() == pytest.approx(60, abs=1)
    assert mask.sum() == pytest.approx(math.pi * (60**2 - 40**2), rel=0.01)


def test_vessel_crossing_the_ring_twice_counts_once_with_both_passes():
    # a chord 30 px from the centre: through the ring, the inner circle
    # and the ring again
    image = draw_bar((SIDE, SIDE), (DISC.cy - 30, DISC.cx), 0, 200, 4, False)
    vessels = zone_b_vessels(measure_segments(image), DISC)
    assert len(vessels) == 1
    # two passes of 2 * sqrt(60^2 - 30^2) - 2 * sqrt(40^2 - 30^2) px each
    one_pass = math.sqrt(60**2 - 30**2) - math.sqrt(40**2 - 30**2)
    assert vessels[0].samples == pytest.approx(2 * one_pass, abs=3)
    assert vessels[0].width == pytest.approx(4, rel=0.03)


def test_branch_point_in_the_ring_counts_the_trunk_only():
    image = _radial(0, 25, 50, 8)  # trunk divides at 50 px, in zone B
    fork = (DISC.cy, DISC.cx + 50)
    for turn in (-30, 30):
        image = np.maximum(image, _radial(turn, 0, 60, 5, fork))
    vessels = zone_b_vessels(measure_segments(image), DISC)
    assert len(vessels) == 1
    assert vessels[0].width == pytest.approx(8, rel=0.05)


def test_branch_point_before_the_ring_counts_both_branches():
    image = _radial(0, 5, 30, 8)  # divides at 30 px, inside 2 r
    fork = (DISC.cy, DISC.cx + 30)
    for turn in (-30, 30):
        image = np.maximum(image, _radial(turn, 0, 60, 5, fork))
    vessels = zone_b_vessels(measure_segments(image), DISC)
    assert len(vessels) == 2
    assert [v.width for v in vessels] == pytest.approx([5, 5], rel=0.03)


def test_vessel_outside_the_ring_does_not_count():
    image = _radial(0, 65, 120, 4)
    assert zone_b_vessels(measure_segments(image), DISC) == []


def test_disc_radius_must_be_positive():
    with pytest.raises(ValueError, match='radius'):
        zone_b_vessels([], DiscCircle(0.0, 0.0, 0.0))
