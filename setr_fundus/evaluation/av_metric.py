"""Artery/vein classification metrics inside the field of view."""
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmseg.registry import METRICS
from torch import Tensor

from .metric_samples import percent_metrics, sample_fields, warn_undefined_auc
from .vessel_stats import (confusion_and_histograms, dice_score, histogram_auc,
                           safe_ratio)

#: Label values of the artery/vein classes (FundusArteryVeinDataset).
BACKGROUND, ARTERY, VEIN = 0, 1, 2


def _overlap(pred: Tensor, label: Tensor) -> List[int]:
    """``[tp, fp, fn]`` of two bool masks."""
    return [
        int((pred & label).sum()),
        int((pred & ~label).sum()),
        int((~pred & label).sum())
    ]


@METRICS.register_module()
class AVMetric(BaseMetric):
    """Artery/vein (A/V) classification and segmentation metrics.

    Artery is the positive class. The A/V decision of a pixel is the larger
    of its artery and vein logits (``seg_logits`` channels 1 and 2; artery
    on a tie), whatever its background score, so that every ground-truth
    artery or vein pixel gets a decision; a pixel is *predicted vessel*
    where ``pred_sem_seg`` is not background (0), whichever vessel class it
    is. Evaluated pixels are inside the field of view
    (``gt_fov_mask == 1``; the whole image without it) and not
    ``ignore_index``; ground-truth class ``unknown_index`` (crossings and
    uncertain vessels) is vessel of unknown type.

    Two pixel sets for the A/V classification, counts pooled over images:

    - "all": ground-truth artery and vein pixels (vessel pixels minus
      crossings and uncertain ones): ``Acc_AV``, ``Se_AV`` (arteries
      classified artery), ``Sp_AV`` (veins classified vein) and ``AUC_AV``
      (ROC AUC of the artery-vs-vein log-odds, from histograms as in
      :class:`~setr_fundus.evaluation.VesselMetric`);
    - "intersection": those pixels that are also predicted vessel:
      ``Acc_AV_int``, ``Se_AV_int``, ``Sp_AV_int``; ``AV_detected`` is the
      share of "all" pixels in it.

    Segmentation, counts pooled over images: ``Dice_artery`` and
    ``Dice_vein`` (class 1 and 2 of ``pred_sem_seg`` against the label,
    leaving ``unknown_index`` pixels out of both maps) and ``Dice_vessel``
    (the vessel union: ground-truth artery, vein and unknown pixels against
    every predicted non-background pixel).

    Each image adds a fixed-size result (three ``[tp, fp, fn, tn]`` /
    ``[tp, fp, fn]`` records and a ``(2, num_bins)`` histogram), so memory
    does not depend on image size and results gather cheaply across ranks.
    Values are in percent, rounded to 2 decimals; a ratio whose denominator
    is 0 had nothing to get wrong and is 100; ``AUC_AV`` is NaN, with a
    warning, when arteries or veins are missing.

    Args:
        unknown_index (int): Label value of crossings and uncertain vessel
            pixels (vessel, type unknown). Defaults to 3.
        ignore_index (int): Label value left out of evaluation.
            Defaults to 255.
        num_bins (int): Histogram bins for ``AUC_AV``. Defaults to 1000.
        logit_range (float): The bins split the artery-vs-vein log-odds
            interval ``[-logit_range, logit_range]`` into equal parts.
            Defaults to 16.0.
        collect_device (str): Device for gathering results across ranks,
            ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix added to the metric names.
            Defaults to None.
        collect_dir (str, optional): Shared directory for gathering results
            on CPU. Defaults to None (a temporary directory).
    """

    metric_names = ('Acc_AV', 'Se_AV', 'Sp_AV', 'AUC_AV', 'Acc_AV_int',
                    'Se_AV_int', 'Sp_AV_int', 'AV_detected', 'Dice_artery',
                    'Dice_vein', 'Dice_vessel')

    def __init__(self,
                 unknown_index: int = 3,
                 ignore_index: int = 255,
                 num_bins: int = 1000,
                 logit_range: float = 16.0,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 collect_dir: Optional[str] = None) -> None:
        for name, value in (('unknown_index', unknown_index),
                            ('ignore_index', ignore_index)):
            if not isinstance(value, int) or isinstance(value, bool) \
                    or value in (BACKGROUND, ARTERY, VEIN):
                raise ValueError(
                    f'AVMetric {name} must be an int other than the class '
                    f'values 0, 1 and 2, got {value!r}')
        if unknown_index == ignore_index:
            raise ValueError('AVMetric unknown_index and ignore_index must '
                             f'differ, both are {unknown_index}')
        if not isinstance(num_bins, int) or num_bins < 2:
            raise ValueError(
                f'AVMetric num_bins must be an int >= 2, got {num_bins!r}')
        if not isinstance(logit_range, (int, float)) \
                or not 0 < logit_range < float('inf'):
            raise ValueError('AVMetric logit_range must be a finite number '
                             f'> 0, got {logit_range!r}')
        super().__init__(
            collect_device=collect_device,
            prefix=prefix,
            collect_dir=collect_dir)
        self.unknown_index = unknown_index
        self.ignore_index = ignore_index
        self.num_bins = num_bins
        self.logit_range = float(logit_range)

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Add one fixed-size result per data sample to ``self.results``.

        Args:
            data_batch (dict): A batch from the dataloader (unused).
            data_samples (Sequence[dict]): Model outputs as dicts with
                ``pred_sem_seg.data`` ``(1, H, W)`` class indices,
                ``seg_logits.data`` ``(C, H, W)`` with ``C >= 3`` (channel 1
                artery, 2 vein), ``gt_sem_seg.data`` ``(1, H, W)`` in
                {0, 1, 2, unknown_index, ignore_index} and optionally
                ``gt_fov_mask.data`` ``(1, H, W)``.
        """
        for data_sample in data_samples:
            self.results.append(self._process_one(data_sample))

    def _process_one(self, data_sample: dict) -> dict:
        """The counts and histogram of one data sample."""
        where = data_sample.get('img_path', 'a data sample')
        fields = sample_fields(data_sample, 'AVMetric')
        logits = fields['seg_logits']
        if logits.shape[0] <= VEIN:
            raise ValueError(
                'AVMetric needs seg_logits with channels for background, '
                f'artery and vein (C >= 3), got shape {tuple(logits.shape)}'
                f' for {where}')
        device = logits.device
        pred = fields['pred_sem_seg'].squeeze(0).to(device)
        label = fields['gt_sem_seg'].squeeze(0).to(device)
        valid = label != self.ignore_index
        if 'gt_fov_mask' in fields:
            valid &= fields['gt_fov_mask'].squeeze(0).to(device) == 1
        known = (BACKGROUND, ARTERY, VEIN, self.unknown_index)
        found = label[valid].unique().tolist()
        if not set(found) <= set(known):
            raise ValueError(
                f'AVMetric expects gt_sem_seg values {known} or ignore_index '
                f'{self.ignore_index}, got {found} in {where}')

        artery, vein = label == ARTERY, label == VEIN
        av_pixels = valid & (artery | vein)
        pred_vessel = pred != BACKGROUND
        # log(p_artery / p_vein): the softmax's other classes cancel
        av_logit = logits[ARTERY].float() - logits[VEIN].float()
        pred_artery = av_logit >= 0
        counts_all, hist = confusion_and_histograms(
            pred_artery[av_pixels], artery[av_pixels], av_logit[av_pixels],
            self.num_bins, self.logit_range)
        both = av_pixels & pred_vessel
        # counts only: the two-bin histogram is not used
        counts_int, _ = confusion_and_histograms(pred_artery[both],
                                                 artery[both],
                                                 av_logit[both], 2, 1.0)
        typed = valid & (label != self.unknown_index)
        overlaps = [
            _overlap((pred == ARTERY) & typed, artery & typed),
            _overlap((pred == VEIN) & typed, vein & typed),
            _overlap(pred_vessel & valid, (label != BACKGROUND) & valid)
        ]
        return dict(
            all=counts_all,
            intersection=counts_int,
            hist=hist,
            overlaps=np.array(overlaps, dtype=np.int64))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Sum the per-image results and compute the metrics.

        Args:
            results (list[dict]): Per-image results from :meth:`process`,
                gathered from all ranks.

        Returns:
            Dict[str, float]: :attr:`metric_names` in percent.
        """
        if not results:
            raise ValueError('AVMetric got no data samples to evaluate')
        total = {
            key: np.sum([r[key] for r in results], axis=0)
            for key in ('all', 'intersection', 'hist', 'overlaps')
        }
        auc = histogram_auc(total['hist'][0], total['hist'][1])
        warn_undefined_auc(auc, 'AVMetric', 'AUC_AV', total['hist'],
                           'artery', 'vein')
        tp, fp, fn, tn = total['all'].tolist()
        tp_i, fp_i, fn_i, tn_i = total['intersection'].tolist()
        dices = [dice_score(*row) for row in total['overlaps'].tolist()]
        values = (safe_ratio(tp + tn, tp + fp + fn + tn),
                  safe_ratio(tp, tp + fn), safe_ratio(tn, tn + fp), auc,
                  safe_ratio(tp_i + tn_i, tp_i + fp_i + fn_i + tn_i),
                  safe_ratio(tp_i, tp_i + fn_i), safe_ratio(tn_i, tn_i + fp_i),
                  safe_ratio(total['intersection'].sum(),
                             total['all'].sum()), *dices)
        return percent_metrics(
            self.metric_names, values,
            f'artery/vein results over {len(results)} images')
