"""How many pixels across its field of view a photograph really resolves.

A photograph enlarged after it was taken (a resampled archive, a viewer's
export, ``tools/misc/rescale_fundus_set.py``) has more pixels but no finer
detail. :func:`fine_detail_ratio` tells the two apart: of the detail a
round trip through an image 8 times smaller loses, how much a round trip
through one 2 times smaller already loses. Measured on the green channel
inside the FOV (docs/scale.md, training photographs): DRIVE 0.38-0.45,
CHASE_DB1 0.27-0.34, HRF 0.33-0.55, while DRIVE enlarged 2x or 4x
(bicubic) reads 0.12-0.16.
"""
import cv2
import numpy as np

from .fov_geometry import FOVCircle

# below this ratio a photograph holds no detail at its own pixel scale
FINE_DETAIL_THRESHOLD = 0.2
# the central disc of the FOV the ratio is measured in (fraction of its
# diameter): the FOV's rim is a step that any resampling smooths
_INNER_FRACTION = 0.9
# a photograph whose FOV is smaller is not halved further
_MIN_DIAMETER = 64.0


def _round_trip_loss(grey: np.ndarray, factor: float,
                     inside: np.ndarray) -> float:
    """RMS inside the FOV of what shrinking by ``factor`` (area) and
    growing back (bicubic) loses."""
    h, w = grey.shape
    small = cv2.resize(
        grey, (max(round(w / factor), 1), max(round(h / factor), 1)),
        interpolation=cv2.INTER_AREA)
    back = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    return float(np.sqrt(np.mean((grey - back)[inside]**2)))


def fine_detail_ratio(img: np.ndarray, circle: FOVCircle) -> float:
    """The detail a x2 round trip loses over the detail a x8 one loses.

    Args:
        img (np.ndarray): HxWx3 (BGR or RGB: the green channel is used) or
            HxW photograph.
        circle (FOVCircle): Its FOV circle.

    Returns:
        float: The ratio in [0, 1]-ish; 0 for a flat image.
    """
    grey = (img[..., 1] if img.ndim == 3 else img).astype(np.float32)
    rows, cols = np.ogrid[:grey.shape[0], :grey.shape[1]]
    inside = np.hypot(cols - circle.cx, rows - circle.cy) <= (
        _INNER_FRACTION * circle.diameter / 2)
    if not inside.any():
        return 0.0
    coarse = _round_trip_loss(grey, 8, inside)
    return _round_trip_loss(grey, 2, inside) / coarse if coarse > 0 else 0.0


def resolved_fov_diameter(img: np.ndarray, circle: FOVCircle) -> float:
    """The FOV diameter the photograph's detail supports: its own, halved
    for every factor of 2 by which it was enlarged (while
    :func:`fine_detail_ratio` stays below :data:`FINE_DETAIL_THRESHOLD`).

    Args:
        img (np.ndarray): HxWx3 or HxW photograph.
        circle (FOVCircle): Its FOV circle.

    Returns:
        float: A diameter in pixels, at most ``circle.diameter``.
    """
    diameter = circle.diameter
    while (diameter / 2 >= _MIN_DIAMETER
           and fine_detail_ratio(img, circle) < FINE_DETAIL_THRESHOLD):
        h, w = img.shape[:2]
        img = cv2.resize(img, (max(round(w / 2), 1), max(round(h / 2), 1)),
                         interpolation=cv2.INTER_AREA)
        circle = FOVCircle(circle.cx / 2, circle.cy / 2,
                           circle.diameter / 2, circle.fitted)
        diameter /= 2
    return float(diameter)
