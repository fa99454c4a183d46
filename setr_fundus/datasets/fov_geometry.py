"""Geometry of the circular field of view (FOV) of a fundus photograph.

A fundus camera images the retina through a circular aperture; the FOV is
that circle, often clipped by the frame at the top and bottom (STARE, HRF)
and sometimes darkened at its rim. Its diameter in pixels sets the scale of
everything inside: :class:`~setr_fundus.datasets.transforms.ResizeToFOV`
rescales photographs so that it is one configured number of pixels, and the
vessel measurements report lengths in FOV units.

:func:`fit_fov_circle` estimates the circle from a FOV mask (a set's mask
file or the one :func:`derive_fov` thresholds): the left and right ends of
every mask row and the top and bottom ends of every column are boundary
points; those on the image frame are dropped, a circle is fitted by least
squares, and points well *inside* it (the straight edge where the frame or a
camera mask clips the circle, a notch of dark retina the threshold missed)
are dropped before refitting, until the set of points is stable. Where no
boundary point is left (a photograph filled to the frame, with no dark
border) the circle falls back to the image width, centred, with a warning.
"""
import logging
from typing import NamedTuple, Optional

import cv2
import numpy as np
from mmengine.logging import print_log

FOV_THRESHOLD = 0.15  # of the bright end (99th percentile) of the red channel
# boundary points closer than this to the fitted circle (in px, or in
# fractions of its radius, whichever is larger) count as on the circle
_INLIER_PX = 2.0
_INLIER_FRACTION = 0.01
_MAX_REFITS = 10
_MIN_POINTS = 8


class FOVCircle(NamedTuple):
    """A field-of-view circle in pixel coordinates of its image.

    Args:
        cx (float): Column of the centre (may lie outside the image).
        cy (float): Row of the centre.
        diameter (float): Diameter in pixels (the circle's, also where the
            frame clips it).
        fitted (bool): False where no boundary was visible and the circle
            is the fallback (image width, centred).
    """
    cx: float
    cy: float
    diameter: float
    fitted: bool = True

    def scaled(self, scale: float) -> 'FOVCircle':
        """The circle in an image resized by ``scale``.

        Pixel centres map as ``x' = (x + 0.5) * scale - 0.5``.
        """
        return FOVCircle((self.cx + 0.5) * scale - 0.5,
                         (self.cy + 0.5) * scale - 0.5,
                         self.diameter * scale, self.fitted)


def _boundary_points(mask: np.ndarray) -> np.ndarray:
    """(x, y) of the row and column ends of ``mask`` off the image frame."""
    h, w = mask.shape
    points = []
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size:
        sub = mask[rows]
        left = sub.argmax(axis=1)
        right = w - 1 - sub[:, ::-1].argmax(axis=1)
        points += [np.stack([left, rows], 1), np.stack([right, rows], 1)]
    cols = np.flatnonzero(mask.any(axis=0))
    if cols.size:
        sub = mask[:, cols]
        top = sub.argmax(axis=0)
        bottom = h - 1 - sub[::-1].argmax(axis=0)
        points += [np.stack([cols, top], 1), np.stack([cols, bottom], 1)]
    if not points:
        return np.zeros((0, 2))
    pts = np.unique(np.concatenate(points), axis=0).astype(np.float64)
    on_frame = ((pts[:, 0] == 0) | (pts[:, 0] == w - 1) | (pts[:, 1] == 0) |
                (pts[:, 1] == h - 1))
    return pts[~on_frame]


def _fit_circle(pts: np.ndarray):
    """Least-squares (Kasa) circle through ``pts``: (cx, cy, r)."""
    x, y = pts[:, 0], pts[:, 1]
    design = np.stack([x, y, np.ones_like(x)], 1)
    (a, b, c), *_ = np.linalg.lstsq(design, x * x + y * y, rcond=None)
    cx, cy = a / 2, b / 2
    return cx, cy, float(np.sqrt(max(c + cx * cx + cy * cy, 0.0)))


def fit_fov_circle(mask: np.ndarray,
                   name: Optional[str] = None) -> FOVCircle:
    """Estimate the FOV circle of a FOV mask (see the module docstring).

    Args:
        mask (np.ndarray): HxW FOV mask; 1 (or any value > 0 other than the
            pad value 255) inside.
        name (str, optional): The photograph, named in messages.

    Returns:
        FOVCircle: Centre and diameter in pixels of ``mask``.

    Raises:
        ValueError: If the mask marks no pixel at all (no visible field of
            view).
    """
    inside = (mask > 0) & (mask != 255)
    what = name or 'the photograph'
    if not inside.any():
        raise ValueError(f'no visible field of view in {what}: its FOV mask '
                         'is empty (an all-dark image, or a mask file of '
                         'zeros); expected a bright circular retina on a dark '
                         'surround')
    h, w = inside.shape
    pts = _boundary_points(inside.astype(np.uint8))
    if len(pts) < _MIN_POINTS:
        print_log(
            f'{what}: the field of view fills the frame (no dark border), so '
            f'its circle cannot be measured; assuming a diameter of the image '
            f'width ({w} px), centred',
            logger='current',
            level=logging.WARNING)
        return FOVCircle((w - 1) / 2, (h - 1) / 2, float(w), fitted=False)
    keep = np.ones(len(pts), bool)
    for _ in range(_MAX_REFITS):
        cx, cy, r = _fit_circle(pts[keep])
        dist = np.hypot(pts[:, 0] - cx, pts[:, 1] - cy)
        new_keep = dist - r > -max(_INLIER_PX, _INLIER_FRACTION * r)
        if new_keep.sum() < _MIN_POINTS or (new_keep == keep).all():
            break
        keep = new_keep
    # a boundary pixel's centre lies half a pixel inside the edge
    return FOVCircle(float(cx), float(cy), 2 * r + 1)


def circle_mask(circle: FOVCircle, shape) -> np.ndarray:
    """uint8 HxW mask, 1 inside ``circle``."""
    h, w = shape[:2]
    yy, xx = np.ogrid[:h, :w]
    radius = circle.diameter / 2
    return ((xx - circle.cx)**2 + (yy - circle.cy)**2 <=
            radius * radius).astype(np.uint8)


def derive_fov(img: np.ndarray) -> np.ndarray:
    """Estimate the FOV mask of a photograph whose set ships none.

    The red channel is median-filtered and thresholded at
    ``FOV_THRESHOLD`` times its 99th percentile; the largest bright region
    is the retina. Its circle (:func:`fit_fov_circle`) is the FOV, so dark
    retina at the rim, which the threshold misses, stays inside; where the
    region ends in a straight edge (the frame or a camera mask clipping the
    circle) the FOV ends there too.

    Args:
        img (np.ndarray): uint8 HxWx3 BGR image.

    Returns:
        np.ndarray: uint8 HxW, 1 inside the FOV; the bright region itself
        where it fills the frame, all 0 where nothing is bright
        (:func:`fit_fov_circle` then raises naming the photograph).
    """
    red = cv2.medianBlur(np.ascontiguousarray(img[..., 2]), 5)
    level = FOV_THRESHOLD * float(np.percentile(red, 99))
    bright = (red > level).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(bright, 8)
    if count < 2:
        return np.zeros_like(bright)
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    region = (labels == largest).astype(np.uint8)
    circle = fit_fov_circle(region)
    if not circle.fitted:
        return region
    return circle_mask(circle, region.shape) & _flat_edge_clip(region, circle)


def _flat_edge_clip(region: np.ndarray, circle: FOVCircle) -> np.ndarray:
    """1 inside the straight edges where a camera mask clips the circle.

    A side of the region is a straight clip when its outermost row (or
    column) is at least half as long as the circle's chord there; a notch
    of dark retina ends in a short run instead and is not clipped.
    """
    keep = np.ones_like(region)
    radius = circle.diameter / 2
    rows = np.flatnonzero(region.any(axis=1))
    cols = np.flatnonzero(region.any(axis=0))
    sides = ((rows[0], circle.cy, 0, slice(None, rows[0])),
             (rows[-1], circle.cy, 0, slice(rows[-1] + 1, None)),
             (cols[0], circle.cx, 1, slice(None, cols[0])),
             (cols[-1], circle.cx, 1, slice(cols[-1] + 1, None)))
    for edge, centre, axis, outside in sides:
        half_chord = np.sqrt(max(radius * radius - (edge - centre)**2, 0.0))
        run = region[edge].sum() if axis == 0 else region[:, edge].sum()
        if run >= half_chord:  # half of the chord 2 * half_chord
            if axis == 0:
                keep[outside] = 0
            else:
                keep[:, outside] = 0
    return keep
