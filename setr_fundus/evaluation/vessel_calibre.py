"""Vessel calibre to a fraction of a pixel, at the resolution of the map.

Each vessel segment (a branch of the skan skeleton graph of the map
thresholded at 0.5) is followed along a smoothing spline of its centreline;
every ``spacing`` pixels the map is sampled (bilinear) along the normal and
the width there is the integral of that profile: the vessel's area per unit
length, which a binary mask (0/1) and a probability map (float in [0, 1])
both give. Definitions, accuracy on drawn bars and the comparison with
AutoMorph, PVBM and VascX: docs/calibre.md.
"""
from typing import List, NamedTuple, Tuple

import numpy as np
from scipy.interpolate import splev, splprep
from scipy.ndimage import distance_transform_edt, map_coordinates
from scipy.stats import trim_mean

from .morphology_ops import QUANTISATION_VARIANCE
from .skeleton_graph import pruned_skeleton

# a profile ends where the map falls below PROFILE_FLOOR, or where, once
# below 0.5 (out of the vessel), it rises again by PROFILE_RISE above its
# lowest value so far (a neighbouring vessel)
PROFILE_FLOOR = 0.05
PROFILE_RISE = 0.1
# the fraction of the widths left out at either end of a segment's sorted
# widths before averaging (scipy's trim_mean)
TRIM_FRACTION = 0.1


class SegmentCalibre(NamedTuple):
    """The widths measured along one vessel segment.

    Args:
        coords (np.ndarray): Kx2 (row, col) skeleton pixels in path order.
        centres (np.ndarray): Mx2 (row, col) points on the smoothed
            centreline where the width was measured.
        widths (np.ndarray): M widths in pixels, one per centre.
        interior (np.ndarray): M bools, True for the centres farther along
            the centreline from either end than the trim there.
        junction_ends (tuple): Whether the first and the last skeleton pixel
            are junctions (skan degree >= 3).
        width (float): The segment's calibre in pixels, the trimmed mean
            (:data:`TRIM_FRACTION`) of the interior widths; NaN where no
            centre is interior.
    """
    coords: np.ndarray
    centres: np.ndarray
    widths: np.ndarray
    interior: np.ndarray
    junction_ends: Tuple[bool, bool]
    width: float


def robust_width(widths: np.ndarray) -> float:
    """The trimmed mean of ``widths`` (:data:`TRIM_FRACTION` left out at
    each end), NaN for none."""
    widths = np.asarray(widths, dtype=np.float64)
    return float(trim_mean(widths, TRIM_FRACTION)) if widths.size else float(
        'nan')


def smooth_centreline(
        coords: np.ndarray, spacing: float
) -> Tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Points every ``spacing`` pixels along a smoothing spline of a
    skeleton path, their unit normals and arc positions.

    The spline is scipy's ``splprep`` with the residual of
    ``QUANTISATION_VARIANCE`` per pixel (as
    :func:`~setr_fundus.evaluation.morphology_ops.path_shape`): it follows
    the line the staircase of pixels stands for, so the normals are those
    of the vessel and not of the pixel steps.

    Args:
        coords (np.ndarray): Kx2 (row, col) path, K >= 2.
        spacing (float): Arc length between the points in pixels.

    Returns:
        tuple: ``(points, normals, along, length)``: Mx2, Mx2 and M arrays
        and the arc length of the spline.
    """
    coords = np.asarray(coords, dtype=np.float64)
    steps = np.hypot(*np.diff(coords, axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(steps)])
    degree = min(3, len(coords) - 1)
    smoothing = QUANTISATION_VARIANCE * len(coords) if degree == 3 else 0.0
    tck, _ = splprep(coords.T, u=along, s=smoothing, k=degree)
    dense_u = np.linspace(0.0, along[-1], 8 * len(coords))
    dense = np.stack(splev(dense_u, tck), axis=1)
    arc = np.concatenate(
        [[0.0], np.cumsum(np.hypot(*np.diff(dense, axis=0).T))])
    positions = np.arange(spacing / 2, arc[-1], spacing)
    if positions.size == 0:
        positions = np.array([arc[-1] / 2])
    u = np.interp(positions, arc, dense_u)
    points = np.stack(splev(u, tck), axis=1)
    tangents = np.stack(splev(u, tck, der=1), axis=1)
    tangents /= np.maximum(np.hypot(*tangents.T), 1e-12)[:, None]
    normals = np.stack([-tangents[:, 1], tangents[:, 0]], axis=1)
    return points, normals, positions, float(arc[-1])


def profile_widths(vessel_map: np.ndarray,
                   points: np.ndarray,
                   normals: np.ndarray,
                   half_length: float,
                   step: float = 0.25) -> np.ndarray:
    """Integral of the map along the normal through each point.

    The map is sampled bilinearly every ``step`` pixels from ``-half_length``
    to ``half_length``; from the point outwards each side is summed
    (trapezoid) up to and including the first sample below
    :data:`PROFILE_FLOOR`, and up to (not including) the first sample that
    rises more than :data:`PROFILE_RISE` above the lowest so far once that
    is below 0.5 (the edge of a neighbouring vessel).

    Args:
        vessel_map (np.ndarray): HxW float map in [0, 1].
        points (np.ndarray): Mx2 (row, col) points.
        normals (np.ndarray): Mx2 unit normals.
        half_length (float): How far to sample on either side, in pixels.
        step (float): Sample spacing in pixels. Defaults to 0.25.

    Returns:
        np.ndarray: M widths in pixels.
    """
    offsets = np.arange(0.0, half_length + step, step)
    total = np.zeros(len(points))
    for sign in (1.0, -1.0):
        where = (points[:, None, :] +
                 sign * offsets[None, :, None] * normals[:, None, :])
        values = map_coordinates(
            vessel_map, [where[..., 0], where[..., 1]],
            order=1,
            mode='constant',
            cval=0.0)
        lowest = np.minimum.accumulate(values, axis=1)
        floor = values < PROFILE_FLOOR
        rise = (values > lowest + PROFILE_RISE) & (lowest < 0.5)
        keep = np.cumsum(floor, axis=1) - floor <= 0
        keep &= np.cumsum(rise, axis=1) == 0
        values = np.where(keep, values, 0.0)
        last = values[np.arange(len(values)), keep.sum(axis=1) - 1]
        total += step * (values.sum(axis=1) - (values[:, 0] + last) / 2)
    return total


def measure_segments(vessel_map: np.ndarray,
                     spur_length: float = 10.0,
                     spacing: float = 1.0) -> List[SegmentCalibre]:
    """The calibre of every segment of a vessel map, in its own pixels.

    The skeleton is that of ``vessel_map >= 0.5`` with spurs shorter than
    ``spur_length`` pruned
    (:func:`~setr_fundus.evaluation.skeleton_graph.pruned_skeleton`). Each
    skan branch is measured every ``spacing`` pixels (:func:`profile_widths`,
    out to twice the largest distance-transform radius along it plus 3 px).
    Centres closer (along the centreline) to an end than the local vessel
    width there plus 1 px are not interior: a junction swells the profile
    of every branch that leaves it.

    Args:
        vessel_map (np.ndarray): HxW binary mask (0/1, bool) or probability
            map (float in [0, 1]).
        spur_length (float): Spur and piece length to prune, in pixels.
            Defaults to 10.0.
        spacing (float): Distance between the widths along a segment, in
            pixels. Defaults to 1.0.

    Returns:
        list[SegmentCalibre]: One per branch of the skeleton graph.

    Raises:
        ValueError: If the map is not 2-D or has values outside [0, 1].
    """
    vessel_map = np.asarray(vessel_map)
    if vessel_map.ndim != 2:
        raise ValueError('measure_segments expects a 2-D vessel map, got '
                         f'shape {vessel_map.shape}')
    vessel_map = vessel_map.astype(np.float64)
    if vessel_map.size and (vessel_map.min() < 0 or vessel_map.max() > 1):
        raise ValueError('measure_segments expects a binary mask or a '
                         'probability map with values in [0, 1], got '
                         f'[{vessel_map.min()}, {vessel_map.max()}]')
    vessel = vessel_map >= 0.5
    _, graph = pruned_skeleton(vessel, spur_length)
    if graph is None:
        return []
    radius = distance_transform_edt(vessel)
    segments = []
    for index in range(graph.n_paths):
        pixels = graph.path(index)
        coords = graph.coordinates[pixels]
        rows, cols = np.round(coords).astype(int).T
        points, normals, along, length = smooth_centreline(coords, spacing)
        widths = profile_widths(vessel_map, points, normals,
                                2 * radius[rows, cols].max() + 3)
        trims = 2 * radius[rows[[0, -1]], cols[[0, -1]]] + 1
        interior = (along >= trims[0]) & (along <= length - trims[1])
        junction = graph.degrees[pixels[[0, -1]]] >= 3
        segments.append(
            SegmentCalibre(coords, points, widths, interior,
                           (bool(junction[0]), bool(junction[1])),
                           robust_width(widths[interior])))
    return segments
