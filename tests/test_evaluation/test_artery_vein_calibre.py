"""CRAE, CRVE and AVR of drawn trees whose answer the test works out by
hand with Knudtson's pairing."""
import math

import numpy as np
import pytest

from setr_fundus.evaluation.artery_vein_calibre import measure_artery_vein
from setr_fundus.evaluation.zone_b import DiscCircle
from tests.test_evaluation.calibre_drawings import draw_bar

SIDE = 320
DISC = DiscCircle(cx=160.2, cy=160.3, radius=30.0)  # zone B: 60 .. 90 px


def _ray(angle, start, stop, width, origin=(DISC.cy, DISC.cx)):
    """A binary radial bar from ``start`` to ``stop`` px along ``angle``."""
    theta = math.radians(angle)
    middle = (start + stop) / 2
    centre = (origin[0] - middle * math.sin(theta),
              origin[1] + middle * math.cos(theta))
    return draw_bar((SIDE, SIDE), centre, angle, stop - start, width,
                    False) > 0


def _tree(arteries, veins, vein_branch=None):
    """Class map of radial arteries (1) and veins (2) from 35 to 140 px;
    ``vein_branch`` = (angle, trunk width, branch width): a vein dividing
    at 75 px (inside zone B) into two branches 25 degrees apart."""
    class_map = np.zeros((SIDE, SIDE), np.uint8)
    for value, rays in ((1, arteries), (2, veins)):
        for angle, width in rays:
            class_map[_ray(angle, 35, 140, width)] = value
    if vein_branch is not None:
        angle, trunk, branch = vein_branch
        class_map[_ray(angle, 35, 75, trunk)] = 2
        theta = math.radians(angle)
        fork = (DISC.cy - 75 * math.sin(theta), DISC.cx + 75 * math.cos(theta))
        for turn in (-12.5, 12.5):
            class_map[_ray(angle + turn, 0, 65, branch, fork)] = 2
    return class_map


def _knudtson(widths, k):
    """Knudtson's rounds written out for six widths."""
    w = sorted(widths)
    first = sorted([k * math.hypot(w[0], w[5]), k * math.hypot(w[1], w[4]),
                    k * math.hypot(w[2], w[3])])
    second = sorted([k * math.hypot(first[0], first[2]), first[1]])
    return k * math.hypot(second[0], second[1])


ARTERIES = [(0, 3), (15, 4), (75, 5), (105, 6), (180, 7), (195, 8),
            (255, 1)]  # the 1 px artery is the seventh, left out
VEINS = [(90, 4), (165, 6), (270, 8), (285, 9), (345, 10)]


def test_drawn_tree_gives_hand_computed_crae_crve_avr():
    record = measure_artery_vein(
        _tree(ARTERIES, VEINS, vein_branch=(230, 12, 8)), DISC,
        fov_diameter_px=1080.0, um_per_px=5.0)
    crae = _knudtson([3, 4, 5, 6, 7, 8], 0.88)
    # the vein dividing in zone B counts once, with its trunk's 12 px
    crve = _knudtson([4, 6, 8, 9, 10, 12], 0.95)
    values = record.values
    assert values['artery_zone_b_vessels'] == 7
    assert values['vein_zone_b_vessels'] == 6
    assert values['crae_px'] == pytest.approx(crae, rel=0.02)
    assert values['crve_px'] == pytest.approx(crve, rel=0.02)
    assert values['avr'] == pytest.approx(crae / crve, rel=0.02)
    assert values['crae_normalised'] == pytest.approx(
        values['crae_px'] / 2)
    assert values['crve_um'] == pytest.approx(values['crve_px'] * 5.0)
    assert record.reasons == {}


def test_fewer_than_six_vessels_pair_what_there_is():
    record = measure_artery_vein(
        _tree(ARTERIES[:3], VEINS[:1]), DISC, fov_diameter_px=540.0)
    # 3, 4, 5: (3, 5) paired, 4 carried; then paired with the result
    pair = 0.88 * math.hypot(3, 5)
    assert record.values['crae_px'] == pytest.approx(
        0.88 * math.hypot(4, pair), rel=0.02)
    assert math.isnan(record.values['crve_px'])
    assert record.reasons['crve_px'] == ('fewer than 2 veins in zone B '
                                         '(1 found)')
    assert 'fewer than 2 veins' in record.reasons['avr']
    assert record.reasons['crae_um'] == 'no um_per_px or field_angle given'


def test_no_vessel_in_zone_b_gives_reasons():
    class_map = np.zeros((SIDE, SIDE), np.uint8)
    class_map[_ray(0, 35, 55, 4)] = 1  # ends before zone B
    record = measure_artery_vein(class_map, DISC, fov_diameter_px=540.0)
    assert record.values['artery_zone_b_vessels'] == 0
    assert record.reasons['crae_px'] == ('fewer than 2 arteries in zone B '
                                         '(0 found)')
    assert math.isnan(record.values['vein_density']) is False
    assert record.values['vein_density'] == 0


def test_crossing_pixels_count_for_both_classes():
    class_map = _tree([(0, 4)], [(90, 4)])
    class_map[_ray(0, 70, 80, 4)] = 3  # crossing/uncertain in zone B
    record = measure_artery_vein(class_map, DISC)
    assert record.vessels['artery'][0].width == pytest.approx(4, rel=0.02)
    assert record.values['artery_density'] == pytest.approx(
        np.isin(class_map, (1, 3)).mean())


def test_field_angle_needs_the_fov_diameter():
    with pytest.raises(ValueError, match='fov_diameter_px'):
        measure_artery_vein(np.zeros((8, 8), np.uint8), DISC,
                            field_angle=45.0)
