"""One artery/vein decision per vessel segment: the model's pixel-wise
artery-vs-vein log-odds averaged along each piece of the predicted vessel
tree between its branch points and crossings."""
import numpy as np
import torch
from scipy import ndimage
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
    skeleton = skeletonize(vessel)
    degree = ndimage.convolve(
        skeleton.astype(np.uint8), _NEIGHBOURS, mode='constant')
    junction = skeleton & (degree >= 3)
    pieces = skeleton & ~ndimage.binary_dilation(
        junction, structure=np.ones((3, 3), bool))
    segments = label(pieces, connectivity=2)
    if not segments.any():
        return np.zeros(vessel.shape, np.int64)
    _, (rows, cols) = ndimage.distance_transform_edt(
        segments == 0, return_indices=True)
    return np.where(vessel, segments[rows, cols], 0)


def av_segment_vote(seg_logits: Tensor, artery: int, vein: int) -> Tensor:
    """Logits whose artery/vein decision is one vote per vessel segment.

    On the predicted vessel (the arg-max class is not 0), each
    :func:`vessel_segments` segment takes the mean of its pixels' log-odds
    ``artery logit - vein logit``. Each of its pixels keeps the larger of
    its two logits for the winning type and gets that minus the absolute
    mean for the other, so that the arg-max between background, vessel and
    any further class (e.g. crossing) is unchanged and only artery and vein
    swap. Pixels off the predicted vessel are unchanged.

    Args:
        seg_logits (Tensor): ``(C, H, W)`` logits, class 0 background.
        artery (int): Channel of the artery class.
        vein (int): Channel of the vein class.

    Returns:
        Tensor: New logits, same shape, dtype and device.
    """
    if seg_logits.dim() != 3 or max(artery, vein) >= seg_logits.shape[0]:
        raise ValueError(
            f'av_segment_vote needs (C, H, W) logits with channels artery='
            f'{artery} and vein={vein}, got shape {tuple(seg_logits.shape)}')
    logits = seg_logits.detach().float().cpu().numpy()
    vessel = logits.argmax(axis=0) != 0
    segments = vessel_segments(vessel)
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
