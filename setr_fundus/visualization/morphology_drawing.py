"""Picture of a measured vessel mask: the centreline coloured by vessel
width, branch and end points (``vessel_morphology.py --show-dir``)."""
from typing import TYPE_CHECKING

import cv2
import numpy as np
from scipy.ndimage import grey_dilation

if TYPE_CHECKING:
    from ..evaluation import MorphologyAnalysis

#: Colour scale of the pictures: vessel width in normalised pixels.
WIDTH_RANGE = (1.0, 12.0)


def _width_bar(side: int) -> np.ndarray:
    """The 40-row legend below the picture: the width colour scale and the
    point markers."""
    low, high = WIDTH_RANGE
    bar = np.zeros((40, side, 3), np.uint8)
    ramp = np.linspace(0, 255, side // 2).astype(np.uint8)[None]
    bar[4:16, side // 4:side // 4 + ramp.shape[1]] = cv2.applyColorMap(
        np.repeat(ramp, 12, axis=0), cv2.COLORMAP_TURBO)
    font, white = cv2.FONT_HERSHEY_SIMPLEX, (255, 255, 255)
    cv2.putText(bar, f'{low:g} px', (side // 4 - 40, 15), font, 0.4, white)
    cv2.putText(bar, f'{high:g} px width', (3 * side // 4 + 4, 15), font, 0.4,
                white)
    cv2.putText(bar, 'red: branch point   cyan: end point', (side // 4, 34),
                font, 0.4, white)
    return bar


def draw_morphology(analysis: 'MorphologyAnalysis') -> np.ndarray:
    """Picture of a measured mask in its normalised frame.

    Vessels grey on the dark FOV, the centreline coloured by vessel width
    where it was measured
    (turbo colour scale over ``WIDTH_RANGE`` normalised pixels, shown in a
    bar below), branch points as red discs and end points as cyan rings.

    Args:
        analysis (MorphologyAnalysis): The result of
            :meth:`~setr_fundus.evaluation.VesselMorphology.analyse`.

    Returns:
        np.ndarray: uint8 BGR picture, ``D + 40`` rows by ``D`` columns.
    """
    side = analysis.vessel.shape[1]
    low, high = WIDTH_RANGE
    picture = np.zeros((side, side, 3), np.uint8)
    picture[analysis.fov] = 35
    picture[analysis.vessel] = 95
    width = np.zeros((side, side))
    rows, cols = np.round(analysis.calibre_points[:, :2]).astype(int).T
    inside = (rows >= 0) & (rows < side) & (cols >= 0) & (cols < side)
    np.maximum.at(width, (rows[inside], cols[inside]),
                  analysis.calibre_points[inside, 2])
    width = grey_dilation(width, size=(3, 3))
    line = width > 0
    level = np.clip((width - low) / (high - low), 0, 1)
    colours = cv2.applyColorMap((level * 255).astype(np.uint8),
                                cv2.COLORMAP_TURBO)
    picture[line] = colours[line]
    for row, col in np.round(analysis.branch_points).astype(int):
        cv2.circle(picture, (col, row), 3, (0, 0, 255), -1, cv2.LINE_AA)
    for row, col in np.round(analysis.end_points).astype(int):
        cv2.circle(picture, (col, row), 3, (255, 255, 0), 1, cv2.LINE_AA)
    return np.concatenate([picture, _width_bar(side)])
