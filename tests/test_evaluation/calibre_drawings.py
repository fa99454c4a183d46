"""Bars and arcs of known width drawn on a pixel grid, for the calibre tests
and .dev_scripts/calibre_bars.py.

Pixel ``(i, j)`` has its centre at ``(row, col) = (i, j)``. Anti-aliased
drawings hold the fraction of each pixel the shape covers (8 x 8 samples);
binary ones are 1 where the pixel centre lies in the shape.
"""
from typing import Callable, Tuple

import numpy as np

SUPERSAMPLING = 8

Inside = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _draw(shape: Tuple[int, int], box: Tuple[float, float, float, float],
          inside: Inside, antialiased: bool) -> np.ndarray:
    """Rasterise the points where ``inside(rows, cols)`` holds within the
    bounding box ``(row0, col0, row1, col1)``."""
    image = np.zeros(shape, np.float64)
    r0 = max(int(np.floor(box[0])) - 1, 0)
    c0 = max(int(np.floor(box[1])) - 1, 0)
    r1 = min(int(np.ceil(box[2])) + 2, shape[0])
    c1 = min(int(np.ceil(box[3])) + 2, shape[1])
    if antialiased:
        sub = (np.arange(SUPERSAMPLING) + 0.5) / SUPERSAMPLING - 0.5
        rows = (np.arange(r0, r1)[:, None] + sub[None, :]).ravel()
        cols = (np.arange(c0, c1)[:, None] + sub[None, :]).ravel()
        hits = inside(rows[:, None], cols[None, :]).astype(np.float64)
        hits = hits.reshape(r1 - r0, SUPERSAMPLING, c1 - c0, SUPERSAMPLING)
        image[r0:r1, c0:c1] = hits.mean(axis=(1, 3))
    else:
        rows = np.arange(r0, r1, dtype=np.float64)[:, None]
        cols = np.arange(c0, c1, dtype=np.float64)[None, :]
        image[r0:r1, c0:c1] = inside(rows, cols)
    return image


def draw_bar(shape: Tuple[int, int], centre: Tuple[float, float],
             angle: float, length: float, width: float,
             antialiased: bool) -> np.ndarray:
    """A straight bar (a rectangle with flat ends).

    Args:
        shape (tuple): Image ``(height, width)``.
        centre (tuple): ``(row, col)`` of the bar's middle.
        angle (float): Direction in degrees, counter-clockwise from the
            column axis as seen on screen (0: horizontal, 90: vertical).
        length (float): Length in pixels.
        width (float): Width in pixels.
        antialiased (bool): Coverage fractions instead of 0/1.

    Returns:
        np.ndarray: float64 image.
    """
    theta = np.deg2rad(angle)
    along = np.array([-np.sin(theta), np.cos(theta)])
    across = np.array([along[1], -along[0]])

    def inside(rows, cols):
        dr, dc = rows - centre[0], cols - centre[1]
        return ((np.abs(dr * along[0] + dc * along[1]) <= length / 2)
                & (np.abs(dr * across[0] + dc * across[1]) <= width / 2))

    reach = length / 2 + width
    box = (centre[0] - reach, centre[1] - reach, centre[0] + reach,
           centre[1] + reach)
    return _draw(shape, box, inside, antialiased)


def draw_arc(shape: Tuple[int, int], centre: Tuple[float, float],
             radius: float, start: float, stop: float, width: float,
             antialiased: bool) -> np.ndarray:
    """A band of constant width along a circle, from angle ``start`` to
    ``stop`` (degrees, counter-clockwise from the column axis on screen).

    Args:
        shape (tuple): Image ``(height, width)``.
        centre (tuple): ``(row, col)`` of the circle.
        radius (float): Radius of the band's middle line in pixels.
        start (float): First angle in degrees.
        stop (float): Last angle in degrees, > ``start``.
        width (float): Width in pixels.
        antialiased (bool): Coverage fractions instead of 0/1.

    Returns:
        np.ndarray: float64 image.
    """

    def inside(rows, cols):
        dr, dc = rows - centre[0], cols - centre[1]
        angle = np.rad2deg(np.arctan2(-dr, dc))
        turned = np.mod(angle - start, 360.0)
        return ((np.abs(np.hypot(dr, dc) - radius) <= width / 2)
                & (turned <= stop - start))

    reach = radius + width
    box = (centre[0] - reach, centre[1] - reach, centre[0] + reach,
           centre[1] + reach)
    return _draw(shape, box, inside, antialiased)
