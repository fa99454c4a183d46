"""fine_detail_ratio / resolved_fov_diameter: an enlarged photograph
resolves the FOV of the photograph it was enlarged from."""
import cv2
import numpy as np
import pytest

from setr_fundus.datasets.fov_geometry import fit_fov_circle
from setr_fundus.datasets.image_detail import (FINE_DETAIL_THRESHOLD,
                                               fine_detail_ratio,
                                               resolved_fov_diameter)
from setr_fundus.datasets.synthetic import generate_fundus


def _enlarged(factor: int, size=(192, 180)):
    """A synthetic photograph enlarged ``factor`` times (bicubic, as
    ``tools/misc/rescale_fundus_set.py``), and its FOV circle."""
    img, _, fov = generate_fundus(0, size)
    shape = (size[1] * factor, size[0] * factor)
    img = cv2.resize(img, shape, interpolation=cv2.INTER_CUBIC)
    fov = cv2.resize(fov, shape, interpolation=cv2.INTER_NEAREST)
    return img, fit_fov_circle(fov)


def test_photograph_drawn_at_its_pixels_resolves_its_own_fov():
    img, circle = _enlarged(1)
    assert fine_detail_ratio(img, circle) > FINE_DETAIL_THRESHOLD
    assert resolved_fov_diameter(img, circle) == circle.diameter


@pytest.mark.parametrize('factor', [2, 4])
def test_enlarged_photograph_resolves_the_original_fov(factor):
    original = _enlarged(1)[1].diameter
    img, circle = _enlarged(factor)
    assert fine_detail_ratio(img, circle) < FINE_DETAIL_THRESHOLD
    assert resolved_fov_diameter(img, circle) == pytest.approx(
        original, rel=0.02)


def test_flat_image_has_no_detail():
    img = np.full((200, 200, 3), 90, np.uint8)
    circle = fit_fov_circle(np.pad(np.ones((180, 180), np.uint8), 10))
    assert fine_detail_ratio(img, circle) == 0.0
