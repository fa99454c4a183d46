import numpy as np
import pytest
from mmengine.logging import MMLogger

from setr_fundus.datasets.fov_geometry import (FOVCircle, circle_mask,
                                               derive_fov, fit_fov_circle)
from setr_fundus.datasets.synthetic import generate_fundus


def disc(shape, cx, cy, diameter):
    return circle_mask(FOVCircle(cx, cy, diameter), shape)


@pytest.mark.parametrize('shape, cx, cy, diameter', [
    ((300, 320), 160.0, 150.0, 260.0),
    ((301, 400), 190.5, 149.0, 201.0),
])
def test_full_circle(shape, cx, cy, diameter):
    circle = fit_fov_circle(disc(shape, cx, cy, diameter))
    assert circle.fitted
    assert circle.cx == pytest.approx(cx, abs=0.6)
    assert circle.cy == pytest.approx(cy, abs=0.6)
    assert circle.diameter == pytest.approx(diameter, abs=1.5)


def test_circle_clipped_by_the_frame_keeps_its_diameter():
    """STARE/HRF: the circle is wider than the frame is high; the diameter
    is the circle's, not the mask's height."""
    mask = disc((240, 420), 210.0, 120.0, 380.0)
    assert mask.any(axis=1).sum() == 240  # clipped at top and bottom
    circle = fit_fov_circle(mask)
    assert circle.diameter == pytest.approx(380.0, abs=2.0)
    assert circle.cy == pytest.approx(120.0, abs=1.0)


def test_circle_clipped_inside_the_frame_by_a_straight_mask():
    mask = disc((300, 300), 150.0, 150.0, 260.0)
    mask[:60] = 0  # a camera mask with a straight top edge
    mask[250:] = 0
    circle = fit_fov_circle(mask)
    assert circle.diameter == pytest.approx(260.0, abs=2.0)
    assert circle.cy == pytest.approx(150.0, abs=1.0)


def test_notch_of_dark_retina_is_ignored():
    mask = disc((300, 300), 150.0, 150.0, 260.0)
    mask[100:200, :60] = 0  # the threshold missed dark retina on the left
    circle = fit_fov_circle(mask)
    assert circle.diameter == pytest.approx(260.0, abs=2.0)
    assert circle.cx == pytest.approx(150.0, abs=1.0)


def test_scaled_circle_maps_pixel_centres():
    circle = FOVCircle(10.0, 20.0, 30.0).scaled(2.0)
    assert circle[:3] == (20.5, 40.5, 60.0)


def test_empty_mask_is_an_error_naming_the_photograph():
    with pytest.raises(ValueError, match='no visible field of view in a.jpg'):
        fit_fov_circle(np.zeros((20, 30), np.uint8), 'a.jpg')


def test_photograph_without_dark_border_falls_back_to_its_width(caplog):
    # MMLogger does not pass records on to the root logger caplog reads
    logger = MMLogger.get_current_instance()
    logger.addHandler(caplog.handler)
    try:
        circle = fit_fov_circle(np.ones((60, 80), np.uint8), 'full.png')
    finally:
        logger.removeHandler(caplog.handler)
    assert circle == FOVCircle(39.5, 29.5, 80.0, fitted=False)
    assert 'full.png: the field of view fills the frame' in caplog.text


def test_derive_fov_matches_true_fov():
    img, _, fov = generate_fundus(11, (120, 110))
    derived = derive_fov(img)
    assert derived.dtype == np.uint8 and set(np.unique(derived)) == {0, 1}
    iou = (derived & fov).sum() / (derived | fov).sum()
    assert iou > 0.95


def test_derive_fov_keeps_dark_retina_at_the_rim():
    """A dim sector of the rim (under the threshold) stays inside the FOV,
    as in CHASE_DB1's photographs."""
    img, _, fov = generate_fundus(3, (200, 200))
    yy, xx = np.mgrid[:200, :200]
    dim = (xx < 60) & (np.abs(yy - 100) < 50)
    img[dim] = (img[dim] * 0.08).astype(np.uint8)
    derived = derive_fov(img)
    assert derived[dim & (fov == 1)].mean() > 0.95
    assert (derived & fov).sum() / (derived | fov).sum() > 0.95


def test_derive_fov_keeps_a_straight_clip():
    img, _, _ = generate_fundus(5, (200, 200))
    img[:40] = 0  # black band: the camera clips the circle at the top
    derived = derive_fov(img)
    assert not derived[:40].any() and derived[45:55].any()
