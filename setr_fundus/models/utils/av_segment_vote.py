"""One artery/vein decision per vessel segment: the model's pixel-wise
artery-vs-vein log-odds averaged along each piece of the predicted vessel
tree between its branch points and crossings, optionally along whole
vessels: pieces that continue each other straight through a junction."""
from itertools import combinations
from typing import Optional, Tuple

import numpy as np
import torch
from scipy import ndimage
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from skimage.measure import label
from skimage.morphology import skeletonize
from torch import Tensor

_NEIGHBOURS = np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]])


def vessel_segments(vessel: np.ndarray) -> np.ndarray:
    """Label each pixel of ``vessel`` with the skeleton segment it belongs
    to.

    The skeleton of the mask is cut at its junctions (skeleton pixels with
    three or more skeleton neighbours, and the pixels touching them), the
    pieces are labelled 1..n (8-connected), and every vessel pixel takes
    the label of its nearest piece. A piece of the mask without a junction
    is one segment.

    Args:
        vessel (np.ndarray): Boolean vessel mask ``(H, W)``.

    Returns:
        np.ndarray: ``int`` labels ``(H, W)``: 0 outside ``vessel`` and
        wherever no segment is left (a mask that is all junction).
    """
    pieces, _ = _skeleton_pieces(vessel)
    return _grow_to_vessel(pieces, vessel)


def straight_continuations(vessel: np.ndarray,
                           max_bend: float) -> np.ndarray:
    """Label each pixel of ``vessel`` with the vessel it belongs to: the
    :func:`vessel_segments` segments joined wherever one continues another
    through a junction.

    At each junction (its pixels and those touching them, 8-connected, so
    that a crossing drawn as two close branch points is one junction) every
    segment leaving it has a direction: from the junction's centre to the
    mean of the segment's skeleton pixels within ``max(6, 4 x`` the vessel's
    half-width at the centre``)`` px. The pair of segments closest to a
    straight line is joined if it bends by at most ``max_bend`` degrees,
    then the next pair among the segments left, so a crossing joins each
    vessel's two arms and a branch point the parent with the straighter
    branch.

    Args:
        vessel (np.ndarray): Boolean vessel mask ``(H, W)``.
        max_bend (float): Largest bend (degrees, 0 = straight on) at which
            two segments are one vessel.

    Returns:
        np.ndarray: ``int`` labels ``(H, W)``, 0 outside ``vessel``; the
        labels of joined segments are equal.
    """
    pieces, zone = _skeleton_pieces(vessel)
    cos_limit = -np.cos(np.radians(max_bend))
    links = []
    for arms in _junction_arms(pieces, zone, vessel):
        pairs = sorted((float(a @ b), s, t)
                       for (s, a), (t, b) in combinations(arms, 2))
        joined = set()
        for cosine, s, t in pairs:
            if cosine > cos_limit:
                break
            if s not in joined and t not in joined:
                joined |= {s, t}
                links.append((s, t))
    size = pieces.max() + 1
    rows, cols = zip(*links) if links else ((), ())
    _, vessels = connected_components(
        coo_matrix((np.ones(len(links)), (rows, cols)), shape=(size, size)),
        directed=False)
    # component labels from 1, background (piece 0) kept at 0
    vessels = np.where(np.arange(size) == 0, 0, vessels + 1)
    return _grow_to_vessel(vessels[pieces], vessel)


def _skeleton_pieces(vessel: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """The skeleton of ``vessel`` cut at its junctions: the labelled pieces
    and the junction zone (junction pixels and those touching them)."""
    skeleton = skeletonize(vessel)
    degree = ndimage.convolve(
        skeleton.astype(np.uint8), _NEIGHBOURS, mode='constant')
    junction = skeleton & (degree >= 3)
    zone = ndimage.binary_dilation(junction, structure=np.ones((3, 3), bool))
    return label(skeleton & ~zone, connectivity=2), zone


def _grow_to_vessel(pieces: np.ndarray, vessel: np.ndarray) -> np.ndarray:
    """Every vessel pixel takes the label of its nearest labelled pixel."""
    if not pieces.any():
        return np.zeros(vessel.shape, np.int64)
    _, (rows, cols) = ndimage.distance_transform_edt(
        pieces == 0, return_indices=True)
    return np.where(vessel, pieces[rows, cols], 0)


def _junction_arms(pieces: np.ndarray, zone: np.ndarray, vessel: np.ndarray):
    """For each junction, ``[(piece, unit direction away from it), ...]``
    over the pieces touching it."""
    clusters, count = ndimage.label(zone, structure=np.ones((3, 3), bool))
    if not count or not pieces.any():
        return []
    centres = ndimage.center_of_mass(zone, clusters, range(1, count + 1))
    half_width = ndimage.distance_transform_edt(vessel)
    touching = ndimage.grey_dilation(clusters, size=(3, 3))
    contact = (pieces > 0) & (touching > 0)
    ys, xs = np.nonzero(pieces)
    order = np.argsort(pieces[ys, xs], kind='stable')
    ys, xs = ys[order], xs[order]
    starts = np.searchsorted(pieces[ys, xs], np.arange(pieces.max() + 2))
    arms = {}
    for piece, cluster in set(zip(pieces[contact], touching[contact])):
        cy, cx = centres[cluster - 1]
        reach = max(6.0, 4 * half_width[int(round(cy)), int(round(cx))])
        py = ys[starts[piece]:starts[piece + 1]] - cy
        px = xs[starts[piece]:starts[piece + 1]] - cx
        near = py**2 + px**2 <= reach**2
        if not near.any():
            continue
        direction = np.array([py[near].mean(), px[near].mean()])
        length = np.hypot(*direction)
        if length > 0:
            arms.setdefault(cluster, []).append(
                (int(piece), direction / length))
    return list(arms.values())


def av_segment_vote(seg_logits: Tensor,
                    artery: int,
                    vein: int,
                    max_bend: Optional[float] = None) -> Tensor:
    """Logits whose artery/vein decision is one vote per vessel segment.

    On the predicted vessel (the arg-max class is not 0), each
    :func:`vessel_segments` segment (with ``max_bend``, each vessel of
    :func:`straight_continuations`) takes the mean of its pixels' log-odds
    ``artery logit - vein logit``. Each of its pixels keeps the larger of
    its two logits for the winning type and gets that minus the absolute
    mean for the other, so that the arg-max between background, vessel and
    any further class (e.g. crossing) is unchanged and only artery and vein
    swap. Pixels off the predicted vessel are unchanged.

    Args:
        seg_logits (Tensor): ``(C, H, W)`` logits, class 0 background.
        artery (int): Channel of the artery class.
        vein (int): Channel of the vein class.
        max_bend (float, optional): Join segments that continue each other
            through a junction with at most this bend (degrees) into one
            vote. Defaults to None: one vote per segment.

    Returns:
        Tensor: New logits, same shape, dtype and device; ``seg_logits``
        itself is left unchanged.
    """
    if seg_logits.dim() != 3 or max(artery, vein) >= seg_logits.shape[0]:
        raise ValueError(
            f'av_segment_vote needs (C, H, W) logits with channels artery='
            f'{artery} and vein={vein}, got shape {tuple(seg_logits.shape)}')
    # a copy: on the CPU, numpy() would share the caller's memory
    logits = seg_logits.detach().float().cpu().numpy().copy()
    vessel = logits.argmax(axis=0) != 0
    segments = (vessel_segments(vessel) if max_bend is None else
                straight_continuations(vessel, max_bend))
    on = segments > 0
    if not on.any():
        return seg_logits.clone()
    log_odds = logits[artery] - logits[vein]
    ids = segments[on]
    totals = np.bincount(ids, weights=log_odds[on])
    counts = np.bincount(ids)
    set_av_log_odds(logits, artery, vein, on, totals[ids] / counts[ids])
    return torch.from_numpy(logits).to(seg_logits)


def set_av_log_odds(logits: np.ndarray, artery: int, vein: int,
                    where: np.ndarray, log_odds: np.ndarray) -> None:
    """Give the pixels ``where`` the artery-vs-vein ``log_odds``, in place:
    the larger of their two logits stays with the type the sign picks (artery
    on 0) and the other becomes that minus ``|log_odds|``, so no other
    class's arg-max changes.

    Args:
        logits (np.ndarray): ``(C, H, W)`` logits, changed in place.
        artery (int): Channel of the artery class.
        vein (int): Channel of the vein class.
        where (np.ndarray): Boolean ``(H, W)`` pixels to change.
        log_odds (np.ndarray): Their new log-odds, one per ``where`` pixel.
    """
    top = np.maximum(logits[artery], logits[vein])[where]
    logits[artery][where] = np.where(log_odds >= 0, top, top + log_odds)
    logits[vein][where] = np.where(log_odds >= 0, top - log_odds, top)
