"""Fixed-size per-image statistics for binary vessel segmentation.

The functions here turn one image's prediction, logits and label into
confusion counts and vessel/background probability histograms whose size
depends only on the number of bins, and compute ratios and the ROC AUC from
them. :class:`~setr_fundus.evaluation.VesselMetric` uses them.
"""
from typing import Tuple

import numpy as np
import torch
from skimage.morphology import skeletonize
from torch import Tensor

from ..models.utils import class_probabilities


def vessel_logit(seg_logits: Tensor) -> Tensor:
    """Log-odds of the vessel probability from a ``(C, ...)`` logit map.

    Args:
        seg_logits (Tensor): A segmentor's ``seg_logits`` with the class
            axis first, read by
            :func:`~setr_fundus.models.utils.class_probabilities`: two
            channels of logits (background, vessel) or one channel holding
            the vessel probability (a sigmoid head).

    Returns:
        Tensor: float32 log-odds ``log(p_vessel / p_background)`` with the
        class axis removed. They are the logs of the two probabilities,
        neither of which rounds to 0 for confident predictions (down to
        ``1e-38``), so, unlike the vessel probability itself, they keep
        confident pixels apart.
    """
    if seg_logits.shape[0] not in (1, 2):
        raise ValueError('seg_logits must have 1 (sigmoid) or 2 (softmax) '
                         f'channels, got shape {tuple(seg_logits.shape)}')
    tiny = torch.finfo(torch.float32).tiny
    prob = class_probabilities(seg_logits.float()).clamp_min(tiny).log()
    return prob[1] - prob[0]


def confusion_and_histograms(
        pred: Tensor, label: Tensor, logit: Tensor, num_bins: int,
        logit_range: float) -> Tuple[np.ndarray, np.ndarray]:
    """Confusion counts and vessel-probability histograms of some pixels.

    The bins are equal-width in log-odds over
    ``[-logit_range, logit_range]`` (the vessel probability rises
    monotonically across them); values beyond fall into the end bins.
    Equal-width probability bins would pile the many confident pixels of a
    trained model into the two end bins and bias the AUC.

    Args:
        pred (Tensor): Bool predicted-vessel flags, shape ``(N,)``.
        label (Tensor): Bool true-vessel flags, shape ``(N,)``.
        logit (Tensor): Vessel log-odds, shape ``(N,)``.
        num_bins (int): Number of bins.
        logit_range (float): Half-width of the binned log-odds interval.

    Returns:
        tuple[np.ndarray, np.ndarray]: int64 ``[tp, fp, fn, tn]`` and an
        int64 ``(2, num_bins)`` histogram whose row 0 counts background
        pixels and row 1 vessel pixels per bin, in increasing probability.
    """
    label = label.long()
    cells = torch.bincount(pred.long() * 2 + label, minlength=4).cpu()
    tn, fn, fp, tp = cells.tolist()
    scaled = (logit.clamp(-logit_range, logit_range) + logit_range) * (
        num_bins / (2 * logit_range))
    bins = scaled.long().clamp_(0, num_bins - 1)
    hist = torch.bincount(
        label.to(bins.device) * num_bins + bins, minlength=2 * num_bins)
    return (np.array([tp, fp, fn, tn], dtype=np.int64),
            hist.cpu().numpy().astype(np.int64).reshape(2, num_bins))


def centerline_counts(pred: np.ndarray, label: np.ndarray) -> np.ndarray:
    """Skeleton overlaps of one image for the centerline Dice (clDice).

    Following Shit et al. (CVPR 2021), the skeleton of the prediction is
    checked against the label (topology precision) and the skeleton of the
    label against the prediction (topology sensitivity). A vessel one pixel
    wide that the prediction misses costs its whole length here, however few
    pixels it has.

    Args:
        pred (np.ndarray): Bool HxW predicted vessel mask, already
            restricted to the evaluated pixels (FOV, not ignored).
        label (np.ndarray): Bool HxW true vessel mask, restricted alike.

    Returns:
        np.ndarray: int64 ``[skel_pred, skel_pred_in_label, skel_label,
        skel_label_in_pred]``: skeleton sizes of prediction and label and
        how many of their pixels fall inside the other mask.
    """
    skel_pred = skeletonize(pred)
    skel_label = skeletonize(label)
    return np.array([
        np.count_nonzero(skel_pred),
        np.count_nonzero(skel_pred & label),
        np.count_nonzero(skel_label),
        np.count_nonzero(skel_label & pred)
    ],
                    dtype=np.int64)


def cldice_score(counts: np.ndarray) -> float:
    """clDice from (summed) :func:`centerline_counts`.

    Args:
        counts (np.ndarray): ``[skel_pred, skel_pred_in_label, skel_label,
            skel_label_in_pred]``.

    Returns:
        float: ``2 * Tprec * Tsens / (Tprec + Tsens)`` in ``[0, 1]``, where
        ``Tprec = skel_pred_in_label / skel_pred`` and
        ``Tsens = skel_label_in_pred / skel_label`` (each 1 when its
        skeleton is empty, as :func:`safe_ratio`); 0 when both are 0.
    """
    skel_pred, pred_in_label, skel_label, label_in_pred = counts.tolist()
    precision = safe_ratio(pred_in_label, skel_pred)
    sensitivity = safe_ratio(label_in_pred, skel_label)
    if precision + sensitivity == 0:
        return 0.0
    return 2 * precision * sensitivity / (precision + sensitivity)


def safe_ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``, defined as 1 when both are 0.

    A zero denominator here always means there was nothing to get wrong
    (e.g. no vessel pixel to detect, nothing predicted and nothing true), so
    the ratio is taken as perfect rather than undefined.

    Args:
        numerator (float): Non-negative count.
        denominator (float): Non-negative count, at least ``numerator``.

    Returns:
        float: The ratio in ``[0, 1]``.
    """
    return 1.0 if denominator == 0 else float(numerator) / float(denominator)


def dice_score(tp: float, fp: float, fn: float) -> float:
    """Dice (= F1) ``2tp / (2tp + fp + fn)``, 1 when there is no vessel in
    either the prediction or the label.

    Args:
        tp (float): True-positive count.
        fp (float): False-positive count.
        fn (float): False-negative count.

    Returns:
        float: Dice in ``[0, 1]``.
    """
    return safe_ratio(2 * tp, 2 * tp + fp + fn)


def histogram_auc(background_hist: np.ndarray,
                  vessel_hist: np.ndarray) -> float:
    """ROC AUC from per-bin background and vessel pixel counts.

    It is the probability that a random vessel pixel scores higher than a
    random background pixel, with pairs in the same bin counted as ties
    (one half), which equals the trapezoidal area under the ROC curve traced
    at the bin edges. Against the exact AUC of the unbinned scores the error
    is at most half the fraction of (vessel, background) pairs that share a
    bin, so it shrinks as ``num_bins`` grows.

    Args:
        background_hist (np.ndarray): Background pixel count per bin, in
            increasing probability order.
        vessel_hist (np.ndarray): Vessel pixel count per bin, same bins.

    Returns:
        float: AUC in ``[0, 1]``, or NaN when either class has no pixel (the
        ROC curve is then undefined).
    """
    neg = background_hist.astype(np.float64)
    pos = vessel_hist.astype(np.float64)
    num_neg, num_pos = neg.sum(), pos.sum()
    if num_neg == 0 or num_pos == 0:
        return float('nan')
    neg_below = np.cumsum(neg) - neg
    wins = np.sum(pos * (neg_below + 0.5 * neg))
    return float(wins / (num_pos * num_neg))
