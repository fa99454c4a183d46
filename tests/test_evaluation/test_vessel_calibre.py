"""Widths of drawn bars and arcs at the map's own resolution; the full
sweep is .dev_scripts/calibre_bars.py (docs/calibre.md)."""
import numpy as np
import pytest

from setr_fundus.evaluation.vessel_calibre import (measure_segments,
                                                   profile_widths)
from tests.test_evaluation.calibre_drawings import draw_arc, draw_bar

SIDE = 400
CENTRE = (SIDE / 2 + 0.3, SIDE / 2 + 0.2)


def _width(image: np.ndarray) -> float:
    """Width of the longest segment."""
    segments = measure_segments(image)
    return max(segments, key=lambda s: len(s.coords)).width


@pytest.mark.parametrize('antialiased', [True, False])
@pytest.mark.parametrize('angle,width', [(0, 2), (90, 3), (17, 4), (0, 6),
                                         (17, 8), (90, 12), (45, 2), (45, 6)])
def test_bar_width_within_3_percent(angle, width, antialiased):
    image = draw_bar((SIDE, SIDE), CENTRE, angle, 120, width, antialiased)
    # at 45 degrees whole diagonals of pixels (or of 8 x 8 samples), 0.707
    # px apart, fall in or out: the drawn width (area over length) is the
    # truth there; elsewhere it is the nominal one
    drawn = image.sum() / 120
    assert abs(drawn / width - 1) < (0.3 if angle == 45 else 0.01)
    assert _width(image) == pytest.approx(drawn, rel=0.03)


@pytest.mark.parametrize('width', [2, 5, 10])
def test_arc_width_within_3_percent(width):
    image = draw_arc((SIDE, SIDE), CENTRE, 120, 20, 90, width, True)
    assert _width(image) == pytest.approx(width, rel=0.03)


def test_large_fov_reads_each_width_not_one():
    # the old tool read every bar of 2 .. 8 px at a 3000 px FOV as 5.6 px
    widths = [_width(draw_bar((600, 600), (300.3, 300.2), 17, 200, w, False))
              for w in (2, 4, 8)]
    assert widths == pytest.approx([2, 4, 8], rel=0.03)


def test_probability_map_reads_its_integral():
    # a soft profile: 0.8 on 6 rows, 0.4 on the row either side
    probability = np.zeros((SIDE, SIDE))
    probability[197:203, 100:300] = 0.8
    probability[[196, 203], 100:300] = 0.4
    assert _width(probability) == pytest.approx(0.8 * 6 + 0.4 * 2, rel=0.03)


def test_profile_stops_at_a_neighbouring_vessel():
    image = np.zeros((40, 40))
    image[10:14, :] = 1.0  # 4 px
    image[16:20, :] = 1.0  # 2 px of background, then a neighbour
    widths = profile_widths(image, np.array([[11.5, 20.0]]),
                            np.array([[1.0, 0.0]]), 15.0)
    assert widths[0] == pytest.approx(4.0, abs=0.05)


def test_junction_ends_are_trimmed():
    image = draw_bar((SIDE, SIDE), CENTRE, 0, 200, 3, False)
    image = np.maximum(image, draw_bar((SIDE, SIDE), (CENTRE[0] + 50,
                                                      CENTRE[1]), 90, 100,
                                       12, False))
    segments = [s for s in measure_segments(image) if np.isfinite(s.width)]
    thin = [s.width for s in segments if s.width < 6]
    assert thin and np.allclose(thin, 3, rtol=0.03)
    assert any(s.junction_ends[0] or s.junction_ends[1] for s in segments)


def test_empty_and_invalid_maps():
    assert measure_segments(np.zeros((20, 20))) == []
    with pytest.raises(ValueError, match='2-D'):
        measure_segments(np.zeros((2, 20, 20)))
    with pytest.raises(ValueError, match=r'\[0, 1\]'):
        measure_segments(np.full((20, 20), 255))
