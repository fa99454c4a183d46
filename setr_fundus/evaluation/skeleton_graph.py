"""The vessel skeleton as a graph (skan): pruning and graph features, for
:class:`~setr_fundus.evaluation.VesselMorphology`."""
from typing import TYPE_CHECKING, Dict, Optional, Tuple

import numpy as np
from skimage.measure import label
from skimage.morphology import skeletonize

from .morphology_ops import path_shape

if TYPE_CHECKING:  # skan brings numba: imported when measuring only
    from skan import Skeleton

_PRUNING_ROUNDS = 5
_SKAN_TIP_JUNCTION, _SKAN_CYCLE = 1, 3


def pruned_skeleton(
        vessel: np.ndarray,
        spur_length: float) -> Tuple[np.ndarray, Optional['Skeleton']]:
    """Skeleton of ``vessel`` without spurs (tip-to-junction branches
    shorter than ``spur_length`` px) and small pieces, and its skan graph
    (None when nothing is left).

    Args:
        vessel (np.ndarray): Boolean vessel mask.
        spur_length (float): Spurs shorter than this are pruned, pieces of
            fewer pixels dropped.

    Returns:
        tuple: The boolean skeleton and its ``skan.Skeleton`` (or None).
    """
    from skan import Skeleton, summarize
    min_pixels = max(int(np.ceil(spur_length)), 2)
    skeleton = drop_small_components(skeletonize(vessel), min_pixels)
    graph = None
    for _ in range(_PRUNING_ROUNDS):
        if not skeleton.any():
            return skeleton, None
        graph = Skeleton(skeleton)
        table = summarize(graph, separator='_')
        spurs = np.flatnonzero(
            (table['branch_type'].to_numpy() == _SKAN_TIP_JUNCTION)
            & (table['branch_distance'].to_numpy() < spur_length))
        if spurs.size == 0:
            break
        # as skan's Skeleton.prune_paths (which fails where no branch is
        # left): wipe the spurs' pixels but their junction, thin again
        for index in spurs:
            pixels = graph.path(index)
            pixels = pixels[graph.degrees[pixels] <= 2]
            rows, cols = np.round(graph.coordinates[pixels]).astype(int).T
            skeleton[rows, cols] = False
        skeleton = drop_small_components(skeletonize(skeleton), min_pixels)
        graph = None
    if graph is None and skeleton.any():
        graph = Skeleton(skeleton)
    return skeleton, graph


def graph_features(
        graph: Optional['Skeleton'], min_segment_length: float
) -> Tuple[Dict[str, float], np.ndarray, np.ndarray]:
    """Length, counts and tortuosity of a skeleton graph, and the
    (row, col) of its branch points (one node per junction cluster) and end
    points.

    Args:
        graph (skan.Skeleton, optional): From :func:`pruned_skeleton`.
        min_segment_length (float): Segments shorter than this (px) count
            in length and number but not in tortuosity.

    Returns:
        tuple: ``(features, branch_points, end_points)``.
    """
    nan = float('nan')
    if graph is None:
        return dict(
            skeleton_length=0.0,
            segments=0.0,
            branch_points=0.0,
            end_points=0.0,
            tortuosity_distance=nan,
            tortuosity_curvature=nan), np.zeros((0, 2)), np.zeros((0, 2))
    junction = graph.degrees >= 3
    # skan joins the adjacent junction pixels of a cluster by one-step
    # branches; a cluster is one branch point and those are no segments
    clusters = np.zeros(graph.skeleton_shape, np.int64)
    rows, cols = np.round(graph.coordinates[junction]).astype(int).T
    clusters[rows, cols] = 1
    clusters = label(clusters, connectivity=2)
    _, first = np.unique(clusters[rows, cols], return_index=True)
    from skan import summarize
    table = summarize(graph, separator='_')
    total_length, segments = 0.0, 0
    arcs, chords, turnings = [], [], []
    for index in range(graph.n_paths):
        if junction[graph.path(index)].all():
            continue
        segments += 1
        coords = graph.path_coordinates(index)
        shape = path_shape(coords)
        total_length += shape['arc']
        if table['branch_distance'].iat[index] < min_segment_length:
            continue
        if table['branch_type'].iat[index] != _SKAN_CYCLE \
                and shape['chord'] > 0:
            arcs.append(shape['arc'])
            chords.append(shape['chord'])
            turnings.append(shape['turning'])
    arcs, chords = np.array(arcs), np.array(chords)
    features = dict(
        skeleton_length=total_length,
        segments=float(segments),
        branch_points=float(first.size),
        end_points=float(np.count_nonzero(graph.degrees == 1)),
        # length-weighted mean of arc / chord: sum(arc^2/chord)/sum(arc)
        tortuosity_distance=float((arcs * arcs / chords).sum() /
                                  arcs.sum()) if arcs.size else nan,
        tortuosity_curvature=float(np.sum(turnings) /
                                   arcs.sum()) if arcs.size else nan)
    branch_points = graph.coordinates[junction][first]
    return features, branch_points, graph.coordinates[graph.degrees == 1]


def fill_small_holes(mask: np.ndarray, max_area: int) -> np.ndarray:
    """``mask`` with its holes (4-connected background pieces) of at most
    ``max_area`` pixels filled."""
    labels = label(~mask, connectivity=1)
    small = np.bincount(labels.ravel()) <= max_area
    small[0] = False
    return mask | small[labels]


def drop_small_components(mask: np.ndarray, min_pixels: int) -> np.ndarray:
    """``mask`` without its 8-connected pieces of fewer than ``min_pixels``
    pixels."""
    labels = label(mask, connectivity=2)
    keep = np.bincount(labels.ravel()) >= min_pixels
    keep[0] = False
    return keep[labels]
