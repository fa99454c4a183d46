"""A drawn fundus photograph with a known optic disc and vessels converging
on it, for the optic disc and biomarker tests."""
import math
from typing import Optional, Tuple

import cv2
import numpy as np

from setr_fundus.evaluation.optic_disc_maps import FRAME_FOV_DIAMETER

SIZE = (240, 260)  # (H, W): not square, small, not the 540 px frame
DISC_DIAMETER_FOV = 0.13  # disc diameter over FOV diameter, as in DRIVE


def drawn_fov(size: Tuple[int, int]) -> Tuple[float, float, float]:
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
    fx, fy, radius = drawn_fov(size)
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
