"""find_optic_disc on drawn photographs with a known disc: left and right
eyes, a disc near the rim, a disc cut off by the aperture, a bright blob
without vessels, two equal discs, any size."""
import math
from typing import Optional, Tuple

import cv2
import numpy as np
import pytest

from setr_fundus.evaluation.optic_disc import find_optic_disc
from setr_fundus.evaluation.optic_disc_maps import (FRAME_FOV_DIAMETER,
                                                    crude_vessel_map,
                                                    disc_brightness,
                                                    fit_disc_circle)

SIZE = (240, 260)  # (H, W): not square, small, not the 540 px frame
DISC_DIAMETER_FOV = 0.13  # disc diameter over FOV diameter, as in DRIVE


def _fov(size: Tuple[int, int]) -> Tuple[float, float, float]:
    """FOV centre (x, y) and radius of a drawing of ``size``."""
    height, width = size
    return width / 2, height / 2, 0.46 * min(size)


def draw_fundus(
    disc: Tuple[float, float],
    size: Tuple[int, int] = SIZE,
    blob: Optional[Tuple[float, float]] = None,
    seed: int = 0,
    draw_disc: bool = True
) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An orange fundus with a bright disc and vessels converging on it.

    Args:
        disc: Disc centre in FOV radii from the FOV centre (may lie outside
            the FOV: only the vessels entering it are seen).
        size: (H, W) of the photograph.
        blob: Centre (FOV radii) of a larger, brighter blob without vessels.
        seed: Seed of the vessel angles and the noise.
        draw_disc: False draws no disc and no vessels.

    Returns:
        tuple: uint8 BGR image, uint8 vessel label, uint8 FOV mask.
    """
    rng = np.random.default_rng(seed)
    fx, fy, radius = _fov(size)
    scale = 2 * radius / FRAME_FOV_DIAMETER  # drawing px per frame px
    yy, xx = np.mgrid[:size[0], :size[1]].astype(np.float32)
    fov = (np.hypot(xx - fx, yy - fy) <= radius).astype(np.uint8)
    falloff = 1 - 0.35 * (np.hypot(xx - fx, yy - fy) / radius)**2
    img = falloff[..., None] * np.float32([40, 85, 190])
    vessel = np.zeros(size, np.uint8)
    bright_spots = []
    if draw_disc:
        bright_spots.append((disc, DISC_DIAMETER_FOV * radius, 1.0))
        dx, dy = fx + disc[0] * radius, fy + disc[1] * radius
        for angle in np.linspace(0, 2 * math.pi, 8, endpoint=False):
            angle += rng.uniform(-0.2, 0.2)
            for start, stop, width in ((0.0, 0.5, 8), (0.5, 1.1, 4)):
                p0 = (dx + start * radius * math.cos(angle),
                      dy + start * radius * math.sin(angle))
                p1 = (dx + stop * radius * math.cos(angle),
                      dy + stop * radius * math.sin(angle))
                cv2.line(vessel, (int(p0[0]), int(p0[1])),
                         (int(p1[0]), int(p1[1])), 1,
                         max(1, int(round(width * scale))))
    if blob is not None:
        bright_spots.append((blob, 1.6 * DISC_DIAMETER_FOV * radius, 1.3))
    for (bx, by), spot_radius, gain in bright_spots:
        distance = np.hypot(xx - fx - bx * radius, yy - fy - by * radius)
        inside = 1 / (1 + np.exp(
            np.clip((distance - spot_radius) / (0.1 * spot_radius), -30,
                    30)))
        img += gain * inside[..., None] * np.float32([60, 110, 50])
    vessel &= fov
    img *= np.where(vessel[..., None] > 0, np.float32([0.6, 0.45, 0.8]), 1)
    img += rng.normal(0, 2, img.shape)
    img[fov == 0] = 3
    return np.clip(img, 0, 255).astype(np.uint8), vessel, fov


def _distance_in_radii(found, disc: Tuple[float, float],
                       size: Tuple[int, int] = SIZE) -> float:
    """Distance of the centre found from the drawn one, in disc radii."""
    fx, fy, radius = _fov(size)
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
    drawn = 2 * DISC_DIAMETER_FOV * _fov(SIZE)[2]
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
    fx, fy, radius = _fov(SIZE)
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
    radius = _fov((540, 540))[2]
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
