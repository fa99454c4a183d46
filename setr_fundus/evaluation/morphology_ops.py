"""Measurements on binary vessel masks, skeletons and centreline paths.

The functions here know nothing of fundus photographs or of the field of
view; :class:`~setr_fundus.evaluation.VesselMorphology` applies them to a
mask rescaled to a normalised FOV diameter. Lengths are in pixels of the
array they get.
"""
from typing import Dict, Sequence

import numpy as np
from scipy.integrate import trapezoid
from scipy.interpolate import splev, splprep
from skimage.measure import block_reduce
from skimage.morphology import skeletonize

from ..datasets.label_resampling import resample_fraction, resample_label

# variance of rounding a point to the nearest pixel centre, both coordinates
# (2 x 1/12 px^2)
QUANTISATION_VARIANCE = 1 / 6


def box_counts(mask: np.ndarray, box_sizes: Sequence[int]) -> np.ndarray:
    """Number of boxes of a square grid that hold at least one pixel.

    Args:
        mask (np.ndarray): Bool HxW mask; the grid starts at its top-left
            corner (a partial box at the far edges counts as a box).
        box_sizes (Sequence[int]): Box side lengths in pixels.

    Returns:
        np.ndarray: int64 counts, one per box size.
    """
    return np.array([
        np.count_nonzero(block_reduce(mask, (size, size), np.max))
        for size in box_sizes
    ],
                    dtype=np.int64)


def box_counting_dimension(mask: np.ndarray,
                           box_sizes: Sequence[int]) -> float:
    """Box-counting (Minkowski-Bouligand) dimension of a binary mask.

    The slope of ``log N(s)`` against ``log(1 / s)`` fitted by least squares
    over all ``box_sizes`` ``s``, where ``N(s)`` counts the boxes that hold
    any mask pixel (:func:`box_counts`): 1 for a line, 2 for a filled area.

    Args:
        mask (np.ndarray): Bool HxW mask.
        box_sizes (Sequence[int]): At least two box sizes in pixels.

    Returns:
        float: The dimension, NaN for an empty mask.
    """
    counts = box_counts(mask, box_sizes)
    if counts.min() == 0:
        return float('nan')
    slope, _ = np.polyfit(np.log(box_sizes), np.log(counts), 1)
    return float(-slope)


def path_shape(coords: np.ndarray) -> Dict[str, float]:
    """Arc length, chord and total absolute curvature of a centreline path.

    A cubic smoothing spline ``(row(u), col(u))`` (scipy's ``splprep``, ``u``
    the pixel-step length along the path) is fitted with a residual sum of
    squares of ``QUANTISATION_VARIANCE`` per pixel, the variance that
    rounding a curve to pixel centres adds: it straightens the pixel
    staircase of oblique lines, which would otherwise add length and
    curvature, and follows real bends. Paths of fewer than 4 pixels are
    taken as their polyline, without curvature.

    Args:
        coords (np.ndarray): Kx2 (row, col) pixel coordinates in path order
            (skan's ``Skeleton.path_coordinates``), K >= 2.

    Returns:
        dict: ``arc`` (length of the spline), ``chord`` (distance between
        its ends) and ``turning`` (``integral |curvature| ds``, the total
        change of direction in radians; ``turning / arc`` is the mean
        absolute curvature, ``1 / R`` on a circle of radius ``R``).
    """
    coords = np.asarray(coords, dtype=np.float64)
    steps = np.hypot(*np.diff(coords, axis=0).T)
    if len(coords) < 4:
        return dict(
            arc=float(steps.sum()),
            chord=float(np.hypot(*(coords[-1] - coords[0]))),
            turning=0.0)
    along = np.concatenate([[0.0], np.cumsum(steps)])
    tck, _ = splprep(
        coords.T, u=along, s=QUANTISATION_VARIANCE * len(coords), k=3)
    samples = np.linspace(0.0, along[-1], 4 * len(coords))
    points = np.stack(splev(samples, tck), axis=1)
    d1 = np.stack(splev(samples, tck, der=1), axis=1)
    d2 = np.stack(splev(samples, tck, der=2), axis=1)
    speed = np.maximum(np.hypot(d1[:, 0], d1[:, 1]), 1e-12)
    curvature = np.abs(d1[:, 0] * d2[:, 1] - d1[:, 1] * d2[:, 0]) / speed**3
    return dict(
        arc=float(np.hypot(*np.diff(points, axis=0).T).sum()),
        chord=float(np.hypot(*(points[-1] - points[0]))),
        turning=float(trapezoid(curvature * speed, samples)))


def resample_binary(mask: np.ndarray,
                    size: Sequence[int],
                    keep_lines: bool = True) -> np.ndarray:
    """Resample a binary mask to ``size``, keeping areas, widths and thin
    lines.

    The mask is resampled by the label resampler of the data pipeline
    (:func:`~setr_fundus.datasets.label_resampling.resample_label`: area
    averaging to shrink, bilinear to grow, set where more than half of a
    pixel is covered). Where exactly half is (an edge on the target grid,
    which integer scale factors make common) the pixel is set on the even
    squares of a checkerboard, so that such edges neither widen nor narrow
    vessels on average. A line one pixel wide that lands between two target
    pixels can fall apart; with ``keep_lines`` the skeleton of the
    fractions of at least one quarter is added back (one pixel across, only
    where the line was).

    Args:
        mask (np.ndarray): Bool HxW mask.
        size (Sequence[int]): Target ``(width, height)``.
        keep_lines (bool): Add the skeleton back. Defaults to True.

    Returns:
        np.ndarray: Bool mask of shape ``(height, width)``.
    """
    binary = resample_label(
        mask.astype(np.uint8), size, checkerboard_ties=True).astype(bool)
    if keep_lines and binary.shape != mask.shape:
        binary |= skeletonize(
            resample_fraction(mask.astype(np.float32), size) >= 0.25)
    return binary
