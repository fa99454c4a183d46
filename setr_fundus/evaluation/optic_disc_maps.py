"""Score maps that point at the optic disc, on the normalised frame.

Every function works on a photograph already rescaled so that its field of
view (FOV) is ``FRAME_FOV_DIAMETER`` pixels across, so the pixel sizes
below are fractions of the FOV and hold for any camera
(:mod:`setr_fundus.evaluation.optic_disc` does the rescaling and
docs/optic_disc.md the measurements):

- :func:`disc_brightness` -- the red-plus-green channel with the vessels
  closed away, divided by its smooth background and averaged over a
  disc-sized neighbourhood: the disc is the brightest such blob, but so is
  peripapillary atrophy or a reflex.
- :func:`vessel_convergence` -- how many directions thick vessels leave a
  point radially in: at the disc the arcades and the nasal vessels leave in
  every direction; on one vessel or a crossing only two or three sectors
  agree.
- :func:`fit_disc_circle` -- the circle, near a given point, whose inside is
  brightest against a ring around it: the disc's centre and diameter.
- :func:`crude_vessel_map` -- dark thin structures of the green channel, for
  callers without a vessel segmentation.
"""
from typing import NamedTuple

import cv2
import numpy as np
from skimage.morphology import skeletonize

FRAME_FOV_DIAMETER = 540
VESSEL_CLOSING_PX = 15  # wider than the widest vessel at 540 px
BACKGROUND_SIGMA_PX = 60.0
BLOB_SIGMA_PX = 12.0
CONVERGENCE_INNER_PX = 20  # vessels inside the disc bend and cross
CONVERGENCE_OUTER_PX = 110  # about three disc radii
CONVERGENCE_SECTORS = 8
CRUDE_VESSEL_FRACTION = 0.12  # of the FOV, darkest in the black top-hat
DISC_RADII_PX = tuple(range(18, 57, 3))
DISC_RING_RATIO = 1.6


class FramedDisc(NamedTuple):
    """A disc circle on the normalised frame.

    Args:
        cx (float): Column of the centre.
        cy (float): Row of the centre.
        diameter (float): Diameter in pixels.
        contrast (float): Mean brightness inside over the mean in the ring
            around it, minus one (0.2: the inside is 20 % brighter).
    """
    cx: float
    cy: float
    diameter: float
    contrast: float


def _masked_blur(values: np.ndarray, mask: np.ndarray,
                 sigma: float) -> np.ndarray:
    """Gaussian mean of ``values`` over the pixels of ``mask`` only."""
    weight = mask.astype(np.float32)
    num = cv2.GaussianBlur(values * weight, (0, 0), sigma)
    den = cv2.GaussianBlur(weight, (0, 0), sigma)
    return num / np.maximum(den, 1e-6)


def _masked_mean(values: np.ndarray, mask: np.ndarray,
                 kernel: np.ndarray) -> np.ndarray:
    """Mean of ``values`` over the pixels of ``mask`` under ``kernel``."""
    weight = mask.astype(np.float32)
    num = cv2.filter2D(values * weight, -1, kernel,
                       borderType=cv2.BORDER_CONSTANT)
    den = cv2.filter2D(weight, -1, kernel, borderType=cv2.BORDER_CONSTANT)
    return num / np.maximum(den, 1e-6)


def vessel_free_brightness(img: np.ndarray) -> np.ndarray:
    """Mean of the red and green channels with the dark vessels closed.

    Args:
        img (np.ndarray): uint8 HxWx3 BGR photograph on the frame.

    Returns:
        np.ndarray: float32 HxW brightness.
    """
    red_green = 0.5 * (img[..., 1].astype(np.float32) + img[..., 2])
    closing = cv2.getStructuringElement(
        cv2.MORPH_ELLIPSE, (VESSEL_CLOSING_PX, VESSEL_CLOSING_PX))
    return cv2.morphologyEx(red_green, cv2.MORPH_CLOSE, closing)


def disc_brightness(img: np.ndarray, fov: np.ndarray) -> np.ndarray:
    """Local brightness against the background, at the disc's scale.

    Args:
        img (np.ndarray): uint8 HxWx3 BGR photograph on the frame.
        fov (np.ndarray): HxW FOV mask (non-zero inside).

    Returns:
        np.ndarray: float32 HxW relative brightness (0 = background).
    """
    brightness = vessel_free_brightness(img)
    background = _masked_blur(brightness, fov > 0, BACKGROUND_SIGMA_PX)
    relative = brightness / np.maximum(background, 1.0) - 1.0
    return _masked_blur(relative, fov > 0, BLOB_SIGMA_PX)


def crude_vessel_map(img: np.ndarray, fov: np.ndarray) -> np.ndarray:
    """Dark thin structures of the green channel (a black top-hat).

    Args:
        img (np.ndarray): uint8 HxWx3 BGR photograph on the frame.
        fov (np.ndarray): HxW FOV mask (non-zero inside).

    Returns:
        np.ndarray: Bool HxW, the ``CRUDE_VESSEL_FRACTION`` of the FOV
        (away from its rim) that the top-hat marks most.
    """
    green = img[..., 1].astype(np.float32)
    closing = cv2.getStructuringElement(
        cv2.MORPH_ELLIPSE, (VESSEL_CLOSING_PX, VESSEL_CLOSING_PX))
    top_hat = cv2.GaussianBlur(
        cv2.morphologyEx(green, cv2.MORPH_CLOSE, closing) - green, (0, 0),
        1.0)
    inner = cv2.erode((fov > 0).astype(np.uint8),
                      np.ones((VESSEL_CLOSING_PX, VESSEL_CLOSING_PX),
                              np.uint8)) > 0
    if not inner.any():
        return np.zeros(fov.shape, bool)
    level = np.percentile(top_hat[inner], 100 * (1 - CRUDE_VESSEL_FRACTION))
    return (top_hat > level) & inner


def _vessel_direction(vessels: np.ndarray):
    """Doubled-angle direction (cos 2t, sin 2t) of the vessels, from the
    structure tensor of the smoothed map."""
    smooth = cv2.GaussianBlur(vessels.astype(np.float32), (0, 0), 2.0)
    gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0)
    gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1)
    jxx = cv2.GaussianBlur(gx * gx, (0, 0), 3.0)
    jyy = cv2.GaussianBlur(gy * gy, (0, 0), 3.0)
    jxy = cv2.GaussianBlur(gx * gy, (0, 0), 3.0)
    norm = np.sqrt((jxx - jyy)**2 + 4 * jxy * jxy) + 1e-9
    # the vessel runs across the gradient: its doubled angle is opposite
    return -(jxx - jyy) / norm, -2 * jxy / norm


def vessel_convergence(vessels: np.ndarray) -> np.ndarray:
    """How radially, and in how many directions, thick vessels leave each
    point.

    Each centreline pixel weighs its width squared. For a point ``c`` and
    each of ``CONVERGENCE_SECTORS`` angular sectors of the ring
    ``CONVERGENCE_INNER_PX``..``CONVERGENCE_OUTER_PX`` around it, the sector
    sums ``weight * cos(2 (vessel direction - direction from c))`` (+1 for a
    radial vessel, -1 for a tangential one); the score adds the positive
    sector sums. One filter per sector and doubled-angle component computes
    it for all points at once.

    Args:
        vessels (np.ndarray): Bool HxW vessel map on the frame (any padding
            around the FOV is fine: the score extends beyond it).

    Returns:
        np.ndarray: float32 HxW convergence score.
    """
    binary = vessels > 0
    distance = cv2.distanceTransform(binary.astype(np.uint8), cv2.DIST_L2, 3)
    weight = np.where(skeletonize(binary), (2 * distance)**2,
                      0).astype(np.float32)
    cos2, sin2 = _vessel_direction(binary)
    weighted_cos, weighted_sin = weight * cos2, weight * sin2
    outer = CONVERGENCE_OUTER_PX
    dy, dx = np.mgrid[-outer:outer + 1, -outer:outer + 1].astype(np.float32)
    radius, angle = np.hypot(dx, dy), np.arctan2(dy, dx)
    ring = (radius >= CONVERGENCE_INNER_PX) & (radius <= outer)
    width = 2 * np.pi / CONVERGENCE_SECTORS
    score = np.zeros(binary.shape, np.float32)
    for sector in range(CONVERGENCE_SECTORS):
        start = -np.pi + sector * width
        inside = ring & (angle >= start) & (angle < start + width)
        radial = (cv2.filter2D(weighted_cos, -1,
                               (inside * np.cos(2 * angle)).astype(
                                   np.float32),
                               borderType=cv2.BORDER_CONSTANT) +
                  cv2.filter2D(weighted_sin, -1,
                               (inside * np.sin(2 * angle)).astype(
                                   np.float32),
                               borderType=cv2.BORDER_CONSTANT))
        score += np.maximum(radial, 0)
    return score


def _disc_kernel(inner: float, outer: float) -> np.ndarray:
    """Normalised kernel of the ring ``inner < d <= outer`` (a disc for
    ``inner < 0``)."""
    half = int(np.ceil(outer))
    dy, dx = np.mgrid[-half:half + 1, -half:half + 1]
    distance = np.hypot(dx, dy)
    kernel = ((distance > inner) & (distance <= outer)).astype(np.float32)
    return kernel / kernel.sum()


def fit_disc_circle(img: np.ndarray, fov: np.ndarray, cx: float, cy: float,
                    search_px: float) -> FramedDisc:
    """The bright circle nearest in kind to a disc around ``(cx, cy)``.

    For each radius of ``DISC_RADII_PX`` and each centre within
    ``search_px`` of ``(cx, cy)`` the mean vessel-free brightness inside the
    circle is compared with the mean in the ring out to
    ``DISC_RING_RATIO`` radii (FOV pixels only); the circle of the highest
    relative contrast wins.

    Args:
        img (np.ndarray): uint8 HxWx3 BGR photograph on the frame.
        fov (np.ndarray): HxW FOV mask (non-zero inside).
        cx (float): Column of the point to search around.
        cy (float): Row of the point to search around.
        search_px (float): Largest distance of the centre from it.

    Returns:
        FramedDisc: The best circle (its contrast may be negative where
        nothing near is brighter than its surround).
    """
    brightness = vessel_free_brightness(img)
    inside = fov > 0
    rows, cols = np.ogrid[:fov.shape[0], :fov.shape[1]]
    window = ((cols - cx)**2 + (rows - cy)**2 <= search_px**2) & inside
    best = FramedDisc(cx, cy, 2.0 * DISC_RADII_PX[0], -np.inf)
    if not window.any():
        return best
    for radius in DISC_RADII_PX:
        disc = _masked_mean(brightness, inside, _disc_kernel(-1, radius))
        ring = _masked_mean(brightness, inside,
                            _disc_kernel(radius, DISC_RING_RATIO * radius))
        contrast = np.where(window, disc / np.maximum(ring, 1.0) - 1.0,
                            -np.inf)
        index = int(np.argmax(contrast))
        if contrast.flat[index] > best.contrast:
            row, col = np.unravel_index(index, contrast.shape)
            best = FramedDisc(float(col), float(row), 2.0 * radius,
                              float(contrast.flat[index]))
    return best
