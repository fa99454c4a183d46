"""fov_frame: masks rescaled so that the FOV circle is the frame's side
across, cut to the square around it, zeros where the image ends."""
import numpy as np
import pytest

from setr_fundus.datasets.fov_geometry import FOVCircle
from setr_fundus.evaluation.fov_frame import fov_frame


def _disc(shape, cx, cy, diameter):
    yy, xx = np.ogrid[:shape[0], :shape[1]]
    return (xx - cx)**2 + (yy - cy)**2 <= (diameter / 2)**2


def test_the_fov_fills_the_square_at_the_set_diameter():
    circle = FOVCircle(150.0, 120.0, 200.0, True)
    fov = _disc((260, 300), circle.cx, circle.cy, circle.diameter)
    line = np.zeros((260, 300), bool)
    line[120, 60:240] = True  # one pixel wide, halved by the rescale
    (line_n, fov_n), scale, corner = fov_frame(((line, True), (fov, False)),
                                               circle, 100)
    assert scale == pytest.approx(0.5)
    assert fov_n.shape == line_n.shape == (100, 100)
    assert fov_n.mean() == pytest.approx(np.pi / 4, abs=0.02)
    assert line_n.any(axis=1).sum() == 1  # kept, one row thick
    assert line_n.sum() == pytest.approx(90, abs=2)
    assert corner == (10, 25)  # centre (60, 75) of the rescaled image


def test_a_circle_past_the_image_edge_is_padded_with_zeros():
    circle = FOVCircle(40.0, 50.0, 100.0, True)  # left half outside
    fov = _disc((100, 100), circle.cx, circle.cy, circle.diameter)
    (fov_n, ), scale, (_, col) = fov_frame(((fov, False), ), circle, 100)
    assert scale == pytest.approx(1.0)
    assert col == -10
    assert not fov_n[:, :10].any()
    assert fov_n[:, 10:].any()
