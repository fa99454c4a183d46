"""draw_morphology: the centreline in the colour of its width, the points
marked, the legend below."""
import cv2
import numpy as np

from setr_fundus.datasets.fov_geometry import FOVCircle
from setr_fundus.evaluation import VesselMorphology
from setr_fundus.visualization import draw_morphology
from setr_fundus.visualization.morphology_drawing import WIDTH_RANGE

D = 128


def _turbo(width: float) -> np.ndarray:
    low, high = WIDTH_RANGE
    level = np.uint8(np.clip((width - low) / (high - low), 0, 1) * 255)
    return cv2.applyColorMap(np.full((1, 1), level, np.uint8),
                             cv2.COLORMAP_TURBO)[0, 0]


def test_centreline_in_the_colour_of_its_width():
    vessel = np.zeros((D, D), np.uint8)
    vessel[61:68, 30:98] = 1  # a bar 7 px wide
    analysis = VesselMorphology(fov_diameter=D).analyse(
        vessel, circle=FOVCircle((D - 1) / 2, (D - 1) / 2, float(D)))
    picture = draw_morphology(analysis)
    assert picture.shape == (D + 40, D, 3) and picture.dtype == np.uint8
    # the width is read to a fraction of a pixel: 7 within 0.05
    assert any(
        np.array_equal(picture[64, 50], _turbo(width))
        for width in np.linspace(6.95, 7.05, 11))
    assert not np.array_equal(picture[64, 50], _turbo(2))
    # the vessel beside the centreline stays grey, the FOV dark grey
    assert picture[61, 50].tolist() == [95, 95, 95]
    assert picture[20, 64].tolist() == [35, 35, 35]
    # the two tips (columns 30 and 97) as cyan rings, drawn anti-aliased
    blue, green, red = np.moveaxis(picture[:D].astype(int), 2, 0)
    cyan = (blue > 200) & (green > 200) & (red < 60)
    assert cyan[58:70, 24:38].any() and cyan[58:70, 90:104].any()
    assert cyan.sum() < 100
    # the legend's colour ramp runs from the lowest to the highest width
    np.testing.assert_array_equal(picture[D + 10, D // 4], _turbo(1))
