"""Optic disc centre and diameter of a fundus photograph.

The photograph is rescaled so that its field of view (FOV) is
``FRAME_FOV_DIAMETER`` (540) pixels across and placed on a canvas with a
margin around the FOV, so every size below is a fraction of the FOV and
holds for any camera. On that frame (docs/optic_disc.md):

1. the candidate is the FOV pixel that maximises
   ``brightness ** 0.5 * convergence``, each map scaled to [0, 1] from its
   FOV median to its FOV maximum (:mod:`.optic_disc_maps`: local brightness
   of red plus green with the vessels closed away; how radially, and in how
   many directions, thick vessels leave the point). Brightness alone finds
   peripapillary atrophy and reflexes, convergence alone drifts along the
   trunk vessels; the product needs both;
2. the disc circle is the brightest circle against its surrounding ring
   with its centre within ``REFINE_SEARCH_PX`` of the candidate: its centre
   and diameter are the result;
3. the result is not found, with a named reason, when the convergence peaks
   outside the FOV circle (the disc of a macula-centred field cut off by
   the aperture), when the circle is hardly brighter than its ring, or when
   another candidate far from the first scores nearly as high.

The vessel map (the caller's segmentation, probability or binary, at the
photograph's size) is used where given; otherwise a black top-hat of the
green channel stands in for it.
"""
from typing import NamedTuple, Optional, Tuple

import cv2
import numpy as np

from ..datasets.fov_geometry import FOVCircle, fit_fov_circle
from .optic_disc_maps import (CONVERGENCE_OUTER_PX, FRAME_FOV_DIAMETER,
                              crude_vessel_map, disc_brightness,
                              fit_disc_circle, vessel_convergence)

REFINE_SEARCH_PX = 25.0
MIN_CONTRAST = 0.05  # disc over ring brightness, minus one
MIN_CONFIDENCE = 0.15
# a second candidate counts when this many disc diameters from the first
SECOND_CANDIDATE_DIAMETERS = 2.0
BRIGHTNESS_EXPONENT = 0.5


class OpticDisc(NamedTuple):
    """Where the optic disc is, in the photograph's pixels and normalised.

    Args:
        found (bool): Whether the disc was found.
        reason (str): Why not (``''`` when found): ``'no bright region
            inside the FOV'``, ``'disc centre outside the field of view'``
            or ``'low confidence: ...'``.
        confidence (float): 1 minus the score of the best candidate at
            least two disc diameters away over the best score, in [0, 1].
        cx (float): Column of the centre in the photograph (the best guess
            also when not found; outside the FOV for that reason).
        cy (float): Row of the centre in the photograph.
        diameter (float): Diameter in the photograph's pixels.
        x_fov (float): Column offset of the centre from the FOV centre, in
            FOV diameters (``cx = fov.cx + x_fov * fov.diameter``).
        y_fov (float): Row offset of the centre from the FOV centre, in
            FOV diameters.
        diameter_fov (float): Diameter as a fraction of the FOV diameter.
        contrast (float): Brightness inside the disc circle over its ring,
            minus one.
        fov (FOVCircle): The FOV circle in the photograph's pixels.
    """
    found: bool
    reason: str
    confidence: float
    cx: float
    cy: float
    diameter: float
    x_fov: float
    y_fov: float
    diameter_fov: float
    contrast: float
    fov: FOVCircle


class _Frame(NamedTuple):
    """The normalised canvas: frame = photograph * scale + shift."""
    scale: float
    shift: Tuple[int, int]
    size: int

    def to_photograph(self, u: float, v: float) -> Tuple[float, float]:
        """Photograph pixel of the frame pixel ``(u, v)``."""
        return ((u - self.shift[0] + 0.5) / self.scale - 0.5,
                (v - self.shift[1] + 0.5) / self.scale - 0.5)

    def place(self, array: np.ndarray, interpolation: int) -> np.ndarray:
        """``array`` resized by ``scale`` and placed on the canvas."""
        h, w = array.shape[:2]
        size = (max(int(round(w * self.scale)), 1),
                max(int(round(h * self.scale)), 1))
        resized = cv2.resize(array, size, interpolation=interpolation)
        shift = np.float32([[1, 0, self.shift[0]], [0, 1, self.shift[1]]])
        return cv2.warpAffine(resized, shift, (self.size, self.size),
                              flags=cv2.INTER_NEAREST,
                              borderMode=cv2.BORDER_CONSTANT)


def _make_frame(circle: FOVCircle) -> _Frame:
    """Canvas of the FOV at ``FRAME_FOV_DIAMETER`` plus the convergence
    ring's reach on every side."""
    scale = FRAME_FOV_DIAMETER / circle.diameter
    size = FRAME_FOV_DIAMETER + 2 * CONVERGENCE_OUTER_PX
    centre = (size - 1) / 2
    shift = (int(round(centre - ((circle.cx + 0.5) * scale - 0.5))),
             int(round(centre - ((circle.cy + 0.5) * scale - 0.5))))
    return _Frame(scale, shift, size)


def _check_inputs(img: np.ndarray, fov_mask: np.ndarray,
                  vessel_map: Optional[np.ndarray]) -> None:
    """Raise ValueError naming the argument whose shape does not fit."""
    if img.ndim != 3 or img.shape[2] != 3 or img.dtype != np.uint8:
        raise ValueError('find_optic_disc: img must be a uint8 HxWx3 BGR '
                         f'image, got {img.dtype} of shape {img.shape}')
    for name, array in (('fov_mask', fov_mask), ('vessel_map', vessel_map)):
        if array is not None and array.shape != img.shape[:2]:
            raise ValueError(f'find_optic_disc: {name} must be HxW like the '
                             f'image {img.shape[:2]}, got {array.shape}')


def _binary_vessels(vessel_map: np.ndarray) -> np.ndarray:
    """Vessel where a probability map is at least 0.5 (0/255 masks are
    scaled by their maximum first)."""
    values = vessel_map.astype(np.float32)
    peak = float(values.max(initial=0.0))
    if peak > 1.0:
        values /= peak
    return (values >= 0.5).astype(np.float32)


def _unit_scale(score: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """``score`` mapped to [0, 1] from its median to its maximum inside."""
    low = float(np.median(score[inside]))
    high = float(score[inside].max())
    return np.clip((score - low) / max(high - low, 1e-9), 0.0, None)


def _peak(score: np.ndarray, where: np.ndarray) -> Tuple[int, int, float]:
    """(column, row, value) of the maximum of ``score`` over ``where``."""
    masked = np.where(where, score, -np.inf)
    index = int(np.argmax(masked))
    row, col = np.unravel_index(index, masked.shape)
    return int(col), int(row), float(masked.flat[index])


def _far_convergence_peak(
        vessels: np.ndarray) -> Optional[Tuple[float, float]]:
    """Frame pixel where vessels converge at twice the ring's reach (the
    map at half resolution), so a disc beyond the FOV's rim shows; None
    where no vessel leaves any point radially."""
    half = cv2.resize(vessels.astype(np.uint8), None, fx=0.5, fy=0.5,
                      interpolation=cv2.INTER_AREA) > 0
    col, row, value = _peak(vessel_convergence(half),
                            np.ones(half.shape, bool))
    return (2 * col + 0.5, 2 * row + 0.5) if value > 0 else None


def find_optic_disc(img: np.ndarray,
                    fov_mask: np.ndarray,
                    vessel_map: Optional[np.ndarray] = None,
                    name: Optional[str] = None) -> OpticDisc:
    """Locate the optic disc (see the module docstring).

    Args:
        img (np.ndarray): uint8 HxWx3 BGR photograph (as mmcv's
            ``LoadImageFromFile`` gives).
        fov_mask (np.ndarray): uint8 HxW FOV mask, 1 inside
            (:func:`~setr_fundus.datasets.fov_geometry.derive_fov`).
        vessel_map (np.ndarray, optional): HxW vessel probability in [0, 1]
            or binary mask (0/1 or 0/255). Defaults to None (a black
            top-hat of the green channel stands in).
        name (str, optional): The photograph, named in messages.

    Returns:
        OpticDisc: The disc, or the best guess with ``found=False`` and the
        reason.

    Raises:
        ValueError: If the shapes do not fit or the FOV mask is empty.
    """
    _check_inputs(img, fov_mask, vessel_map)
    circle = fit_fov_circle(fov_mask, name)
    frame = _make_frame(circle)
    image = frame.place(img, cv2.INTER_AREA
                        if frame.scale < 1 else cv2.INTER_LINEAR)
    fov = frame.place((fov_mask > 0).astype(np.uint8), cv2.INTER_NEAREST)
    if vessel_map is None:
        vessels = crude_vessel_map(image, fov)
    else:
        vessels = frame.place(_binary_vessels(vessel_map),
                              cv2.INTER_AREA if frame.scale < 1 else
                              cv2.INTER_LINEAR) >= 0.5
    inside = cv2.erode(fov, np.ones((5, 5), np.uint8)) > 0
    if not inside.any():
        inside = fov > 0
    convergence = vessel_convergence(vessels)
    brightness = _unit_scale(disc_brightness(image, fov), inside)
    score = brightness**BRIGHTNESS_EXPONENT * _unit_scale(convergence, inside)
    col, row, best = _peak(score, inside)
    disc = fit_disc_circle(image, fov, col, row, REFINE_SEARCH_PX)

    rows, cols = np.ogrid[:score.shape[0], :score.shape[1]]
    far = ((cols - col)**2 + (rows - row)**2 >
           (SECOND_CANDIDATE_DIAMETERS * disc.diameter)**2)
    second_col, second_row, second = _peak(score, inside & far)
    confidence = (float(np.clip(1.0 - second / best, 0.0, 1.0))
                  if best > 0 and np.isfinite(second) else 1.0)

    far_peak = _far_convergence_peak(vessels)
    centre = (frame.size - 1) / 2
    if far_peak is not None and np.hypot(
            far_peak[0] - centre,
            far_peak[1] - centre) > FRAME_FOV_DIAMETER / 2:
        reason = 'disc centre outside the field of view'
        (u, v), diameter = far_peak, disc.diameter
    else:
        u, v = 0.5 * (disc.cx + col), 0.5 * (disc.cy + row)
        diameter = disc.diameter
        if not disc.contrast >= MIN_CONTRAST:
            reason = 'no bright region inside the FOV'
        elif confidence < MIN_CONFIDENCE:
            other = frame.to_photograph(second_col, second_row)
            reason = (f'low confidence: a candidate at ({other[0]:.0f}, '
                      f'{other[1]:.0f}) px scores {second / best:.0%} of '
                      'the best')
        else:
            reason = ''
    cx, cy = frame.to_photograph(u, v)
    return OpticDisc(
        found=not reason,
        reason=reason,
        confidence=confidence,
        cx=cx,
        cy=cy,
        diameter=diameter / frame.scale,
        x_fov=(cx - circle.cx) / circle.diameter,
        y_fov=(cy - circle.cy) / circle.diameter,
        diameter_fov=diameter / FRAME_FOV_DIAMETER,
        contrast=disc.contrast,
        fov=circle)
