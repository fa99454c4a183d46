"""measure_photograph on a drawn photograph: the disc found, every column
filled or given a reason, the classes found by name in any order, and a
photograph without a disc named as such."""
import math

import numpy as np
import pytest

from setr_fundus.evaluation.photograph_biomarkers import (BIOMARKER_COLUMNS,
                                                          artery_vein_classes,
                                                          measure_photograph)
from tests.test_evaluation.fundus_drawings import (DISC_DIAMETER_FOV,
                                                   draw_fundus, drawn_fov)

SIZE = (480, 520)
DISC = (0.45, 0.05)  # FOV radii from the FOV centre
CLASSES = ('background', 'artery', 'vein', 'crossing/uncertain')


def _artery_vein_photograph():
    """Photograph, FOV and class map: the vessels above the disc centre
    arteries (1), those below veins (2)."""
    img, vessel, fov = draw_fundus(DISC, SIZE)
    fx, fy, radius = drawn_fov(SIZE)
    rows = np.arange(SIZE[0])[:, None]
    above = rows < fy + DISC[1] * radius
    class_map = np.where(vessel > 0, np.where(above, 1, 2), 0)
    return img, fov, class_map.astype(np.uint8)


def _check_reasons(found):
    assert tuple(found.values) == BIOMARKER_COLUMNS
    empty = {c for c, v in found.values.items() if not math.isfinite(v)}
    assert empty == set(found.reasons)
    assert all(found.reasons.values())


def test_drawn_photograph_gives_disc_and_equivalents():
    img, fov, class_map = _artery_vein_photograph()
    found = measure_photograph(img, fov, class_map, CLASSES, field_angle=45)
    _check_reasons(found)
    fx, fy, radius = drawn_fov(SIZE)
    values = found.values
    assert math.hypot(values['disc_x'] - fx - DISC[0] * radius,
                      values['disc_y'] - fy - DISC[1] * radius) < (
                          DISC_DIAMETER_FOV * radius / 2)
    for name in ('artery', 'vein'):
        assert values[f'{name}_zone_b_vessels'] >= 2
        assert values[f'{name}_density'] > 0
    assert values['avr'] == pytest.approx(values['crae_px'] /
                                          values['crve_px'])
    assert values['crae_um'] == pytest.approx(
        values['crae_px'] * 45 * 288 / (2 * radius), rel=0.02)
    disc = found.zone_b_disc()
    assert disc.radius == pytest.approx(values['disc_diameter'] / 2)
    assert 'disc' not in found.reason_text()


def test_classes_are_found_by_name():
    img, fov, class_map = _artery_vein_photograph()
    reference = measure_photograph(img, fov, class_map, CLASSES)
    # the same map with vein = 1, artery = 3 and no crossing class
    reordered = np.choose(class_map, [0, 3, 1, 2]).astype(np.uint8)
    found = measure_photograph(img, fov, reordered,
                               ('background', 'vein', 'other', 'artery'))
    np.testing.assert_equal(list(found.values.values()),
                            list(reference.values.values()))
    assert artery_vein_classes(('background', 'vessel')) is None
    with pytest.raises(ValueError, match='artery and vein'):
        measure_photograph(img, fov, class_map, ('background', 'vessel'))


def test_photograph_without_disc_names_the_reason():
    img, vessel, fov = draw_fundus((0, 0), SIZE, draw_disc=False)
    class_map = np.zeros(SIZE, np.uint8)
    class_map[SIZE[0] // 2 - 2:SIZE[0] // 2 + 2, 100:400] = 1
    class_map[SIZE[0] // 3 - 2:SIZE[0] // 3 + 2, 100:400] = 2
    found = measure_photograph(img, fov, class_map, CLASSES)
    _check_reasons(found)
    assert found.zone_b_disc() is None
    for column in ('disc_x', 'crae_px', 'crve_um', 'avr',
                   'artery_zone_b_vessels'):
        assert found.reasons[column].startswith('optic disc not found (')
    assert math.isfinite(found.values['artery_density'])
    assert 'avr' in found.reason_text()
