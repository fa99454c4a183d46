"""find_optic_disc on drawn photographs with a known disc: left and right
eyes, a disc near the rim, a disc cut off by the aperture, a bright blob
without vessels, two equal discs, any size."""
import math
from typing import Tuple

import numpy as np
import pytest

from setr_fundus.evaluation.optic_disc import find_optic_disc
from setr_fundus.evaluation.optic_disc_maps import (crude_vessel_map,
                                                    disc_brightness,
                                                    fit_disc_circle)
from tests.test_evaluation.fundus_drawings import (DISC_DIAMETER_FOV, SIZE,
                                                   draw_fundus, drawn_fov)


def _distance_in_radii(found, disc: Tuple[float, float],
                       size: Tuple[int, int] = SIZE) -> float:
    """Distance of the centre found from the drawn one, in disc radii."""
    fx, fy, radius = drawn_fov(size)
    disc_radius = DISC_DIAMETER_FOV * radius
    return math.hypot(found.cx - fx - disc[0] * radius,
                      found.cy - fy - disc[1] * radius) / disc_radius


@pytest.mark.parametrize('disc', [(0.5, 0.05), (-0.5, -0.05), (-0.8, 0.1)],
                         ids=['right', 'left', 'near-rim'])
@pytest.mark.parametrize('with_vessels', [True, False],
                         ids=['label', 'crude'])
def test_finds_drawn_disc(disc, with_vessels):
    img, vessel, fov = draw_fundus(disc)
    found = find_optic_disc(img, fov, vessel if with_vessels else None)
    assert found.found, found.reason
    assert found.reason == ''
    assert _distance_in_radii(found, disc) < 0.5
    drawn = 2 * DISC_DIAMETER_FOV * drawn_fov(SIZE)[2]
    assert 0.7 < found.diameter / drawn < 1.4
    assert 0 < found.confidence <= 1
    assert found.contrast > 0.1


def test_normalised_result_is_scale_free():
    disc = (0.45, -0.1)
    small_img, _, small_fov = draw_fundus(disc, (200, 210))
    large_img, _, large_fov = draw_fundus(disc, (500, 520))
    small = find_optic_disc(small_img, small_fov)
    large = find_optic_disc(large_img, large_fov)
    assert small.x_fov == pytest.approx(large.x_fov, abs=0.01)
    assert small.y_fov == pytest.approx(large.y_fov, abs=0.01)
    assert small.diameter_fov == pytest.approx(large.diameter_fov, rel=0.15)
    assert large.diameter / small.diameter == pytest.approx(
        large.fov.diameter / small.fov.diameter, rel=0.15)
    assert large.cx == pytest.approx(
        large.fov.cx + large.x_fov * large.fov.diameter)


def test_vessel_convergence_beats_a_brighter_blob():
    disc, blob = (0.5, 0.0), (-0.3, 0.2)
    img, vessel, fov = draw_fundus(disc, blob=blob)
    fx, fy, radius = drawn_fov(SIZE)
    brightness = disc_brightness(img, fov)
    row, col = np.unravel_index(np.argmax(brightness), brightness.shape)
    assert math.hypot(col - fx - blob[0] * radius,
                      row - fy - blob[1] * radius) < 0.2 * radius, (
                          'the blob must be the brightest spot, or the test '
                          'shows nothing')
    for vessels in (vessel, None):
        found = find_optic_disc(img, fov, vessels)
        assert found.found, found.reason
        assert _distance_in_radii(found, disc) < 0.5


def test_disc_cut_off_by_the_aperture_is_named():
    disc = (1.25, 0.0)
    img, vessel, fov = draw_fundus(disc)
    found = find_optic_disc(img, fov, vessel)
    assert not found.found
    assert found.reason == 'disc centre outside the field of view'
    assert math.hypot(found.x_fov, found.y_fov) > 0.5
    assert found.x_fov > 0  # on the side the vessels come from


def test_no_disc_is_named():
    img, vessel, fov = draw_fundus((0, 0), draw_disc=False)
    found = find_optic_disc(img, fov, vessel)
    assert not found.found
    assert found.reason == 'no bright region inside the FOV'
    assert found.contrast < 0.05


def test_two_equal_discs_give_low_confidence():
    left, vessel_left, fov = draw_fundus((-0.5, 0.0), seed=1)
    right, vessel_right, _ = draw_fundus((0.5, 0.0), seed=1)
    img = np.maximum(left, right)
    found = find_optic_disc(img, fov, vessel_left | vessel_right)
    assert not found.found
    assert found.reason.startswith('low confidence: a candidate at')
    assert found.confidence < 0.15


def test_probability_map_equals_its_binary_mask():
    img, vessel, fov = draw_fundus((0.5, 0.05))
    probability = np.where(vessel > 0, 0.8, 0.1).astype(np.float32)
    assert find_optic_disc(img, fov, probability) == find_optic_disc(
        img, fov, vessel * 255)


def test_fit_disc_circle_measures_the_drawn_disc():
    img, _, fov = draw_fundus((0.0, 0.0), size=(540, 540))
    radius = drawn_fov((540, 540))[2]
    circle = fit_disc_circle(img, fov, 275, 265, search_px=20)
    assert math.hypot(circle.cx - 270, circle.cy - 270) <= 3
    assert circle.diameter == pytest.approx(
        2 * DISC_DIAMETER_FOV * radius, rel=0.15)


def test_crude_vessel_map_marks_the_vessels():
    img, vessel, fov = draw_fundus((0.5, 0.0), size=(540, 540))
    crude = crude_vessel_map(img, fov)
    assert (crude & (vessel > 0)).sum() > 0.5 * crude.sum()


def test_rejects_misfit_inputs():
    img, vessel, fov = draw_fundus((0.5, 0.0))
    with pytest.raises(ValueError, match='fov_mask'):
        find_optic_disc(img, fov[:-1])
    with pytest.raises(ValueError, match='vessel_map'):
        find_optic_disc(img, fov, vessel[:, :-1])
    with pytest.raises(ValueError, match='uint8 HxWx3'):
        find_optic_disc(img[..., 1], fov)
    with pytest.raises(ValueError, match='no visible field of view'):
        find_optic_disc(img, np.zeros_like(fov))
