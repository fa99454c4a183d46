"""Retinal-vessel metrics inside the field of view."""
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.utils import mkdir_or_exist
from mmseg.registry import METRICS

from ..fileio import file_stem, prediction_paths, write_mask
from .metric_samples import percent_metrics, sample_fields, warn_undefined_auc
from .vessel_stats import (centerline_counts, cldice_score,
                           confusion_and_histograms, dice_score, histogram_auc,
                           safe_ratio, vessel_logit)


def _is_number(value: Any, types: Union[type, Tuple[type, ...]]) -> bool:
    """``isinstance(value, types)``, but never for a bool."""
    return isinstance(value, types) and not isinstance(value, bool)


@METRICS.register_module()
class VesselMetric(BaseMetric):
    """Dice, IoU, Acc, Se, Sp, AUC, per-image mean Dice and clDice of the
    vessel class.

    Only pixels inside the field of view (``gt_fov_mask == 1``; the whole
    image when a sample has no ``gt_fov_mask``) whose label is not
    ``ignore_index`` are evaluated, at the label's resolution. Each image
    adds a fixed-size result (``[tp, fp, fn, tn]``, a ``(2, num_bins)``
    background/vessel histogram of the vessel probability, its Dice and its
    four skeleton counts for clDice), so
    memory does not depend on image size, and results gather across ranks
    in distributed evaluation. The vessel probability is class 1 of
    :func:`~setr_fundus.models.utils.class_probabilities` (the softmax of
    two channels; for one channel ``seg_logits`` itself, as mmseg stores
    sigmoid probabilities for one-channel heads); it is binned in equal
    steps of its log-odds, which keeps confident pixels apart instead of
    piling them into the end bins.

    Reported in percent, rounded to 2 decimals:

    - ``Dice`` = ``2tp / (2tp + fp + fn)`` (F1) and ``IoU`` =
      ``tp / (tp + fp + fn)`` over all pixels of all images;
    - ``Acc`` = ``(tp + tn) / all``, ``Se`` = ``tp / (tp + fn)``,
      ``Sp`` = ``tn / (tn + fp)``;
    - ``AUC``: ROC AUC of the vessel probability from the histograms
      (see :func:`~setr_fundus.evaluation.vessel_stats.histogram_auc`;
      within 1e-3 of the exact AUC unless many vessel and background
      pixels share a bin);
    - ``mDice_img``: the mean over images of each image's Dice;
    - ``clDice``: centerline Dice (Shit et al., CVPR 2021), the harmonic mean
      of topology precision (share of the predicted vessels' skeleton inside
      the label) and topology sensitivity (share of the label's skeleton
      inside the prediction), skeletons by scikit-image's ``skeletonize``
      of the masks restricted to the evaluated pixels, counts summed over
      images. Thin vessels weigh by their length here, not by their few
      pixels.

    Degenerate cases: a ratio whose denominator is 0 had nothing to get
    wrong and is 100 (e.g. Dice of an image with no vessel in label and
    prediction, Se of a set without vessel pixels). AUC is NaN, with a
    warning, when the evaluated pixels hold only one class.

    Args:
        num_bins (int): Number of histogram bins for the AUC.
            Defaults to 1000.
        logit_range (float): The bins split the vessel log-odds interval
            ``[-logit_range, logit_range]`` (probabilities ``1.1e-7`` to
            ``1 - 1.1e-7`` for 16) into equal parts; pixels beyond fall into
            the end bins. Defaults to 16.0.
        ignore_index (int): Label value left out of evaluation.
            Defaults to 255.
        output_dir (str, optional): If given, each predicted vessel mask is
            also saved there as ``<stem>_mask.png`` (0/255, original
            resolution, named and written as by ``tools/infer.py``:
            :mod:`setr_fundus.fileio.prediction_files`); ``tools/test.py
            --out DIR`` sets it. Defaults to None.
        collect_device (str): Device for gathering results across ranks,
            ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix added to the metric names.
            Defaults to None.
        collect_dir (str, optional): Shared directory for gathering results
            on CPU. Defaults to None (a temporary directory).
    """

    metric_names = ('Dice', 'IoU', 'Acc', 'Se', 'Sp', 'AUC', 'mDice_img',
                    'clDice')

    def __init__(self,
                 num_bins: int = 1000,
                 logit_range: float = 16.0,
                 ignore_index: int = 255,
                 output_dir: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 collect_dir: Optional[str] = None) -> None:
        if not _is_number(num_bins, int) or num_bins < 2:
            raise ValueError(
                f'VesselMetric num_bins must be an int >= 2, got {num_bins!r}')
        if not _is_number(logit_range, (int, float)) \
                or not 0 < logit_range < float('inf'):
            raise ValueError('VesselMetric logit_range must be a finite '
                             f'number > 0, got {logit_range!r}')
        if not _is_number(ignore_index, int) or ignore_index in (0, 1):
            raise ValueError('VesselMetric ignore_index must be an int other '
                             f'than the class values 0 and 1, got '
                             f'{ignore_index!r}')
        super().__init__(
            collect_device=collect_device,
            prefix=prefix,
            collect_dir=collect_dir)
        self.num_bins = num_bins
        self.logit_range = float(logit_range)
        self.ignore_index = ignore_index
        self.output_dir = output_dir
        if output_dir is not None:
            mkdir_or_exist(output_dir)

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Add one fixed-size result per data sample to ``self.results``.

        Args:
            data_batch (dict): A batch from the dataloader (unused).
            data_samples (Sequence[dict]): Model outputs as dicts with
                ``pred_sem_seg.data`` ``(1, H, W)`` in {0, 1},
                ``seg_logits.data`` ``(C, H, W)`` with C 1 or 2,
                ``gt_sem_seg.data`` ``(1, H, W)`` in {0, 1, ignore_index}
                and optionally ``gt_fov_mask.data`` ``(1, H, W)``.
        """
        for data_sample in data_samples:
            self.results.append(self._process_one(data_sample))
            if self.output_dir is not None:
                self._write_prediction(data_sample)

    def _write_prediction(self, data_sample: dict) -> None:
        """Save the vessel mask as ``<stem>_mask.png`` (0/255), the naming
        of ``tools/infer.py``."""
        stem = file_stem(data_sample.get('img_path') or 'prediction')
        path = prediction_paths(self.output_dir, stem, ['mask'])['mask']
        pred = torch.as_tensor(data_sample['pred_sem_seg']['data']).squeeze(0)
        write_mask(path, pred.cpu().numpy())

    def _process_one(self, data_sample: dict) -> dict:
        """Counts, histogram and Dice of one data sample."""
        fields = sample_fields(data_sample, 'VesselMetric')
        pred, logits = fields['pred_sem_seg'], fields['seg_logits']
        label = fields['gt_sem_seg'].to(pred.device)
        label = label.squeeze(0)
        valid = label != self.ignore_index
        if 'gt_fov_mask' in fields:
            valid &= fields['gt_fov_mask'].squeeze(0).to(valid.device) == 1
        if bool(((label[valid] != 0) & (label[valid] != 1)).any()):
            raise ValueError(
                'VesselMetric expects gt_sem_seg values 0, 1 or ignore_index '
                f'{self.ignore_index}, got {label[valid].unique().tolist()} '
                f'in {data_sample.get("img_path", "a data sample")}')
        vessel_pred = (pred.squeeze(0) == 1) & valid
        vessel_label = (label == 1) & valid
        logit = vessel_logit(logits)[valid.to(logits.device)]
        counts, hist = confusion_and_histograms(vessel_pred[valid],
                                                vessel_label[valid], logit,
                                                self.num_bins,
                                                self.logit_range)
        tp, fp, fn, _ = counts.tolist()
        centerline = centerline_counts(vessel_pred.cpu().numpy(),
                                       vessel_label.cpu().numpy())
        return dict(
            counts=counts,
            hist=hist,
            dice=dice_score(tp, fp, fn),
            centerline=centerline)

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Sum the per-image results and compute the metrics.

        Args:
            results (list[dict]): Per-image results from :meth:`process`,
                gathered from all ranks.

        Returns:
            Dict[str, float]: ``Dice IoU Acc Se Sp AUC mDice_img clDice`` in
            percent.
        """
        if not results:
            raise ValueError('VesselMetric got no data samples to evaluate')
        tp, fp, fn, tn = np.sum([r['counts'] for r in results],
                                axis=0).tolist()
        hist = np.sum([r['hist'] for r in results], axis=0)
        auc = histogram_auc(hist[0], hist[1])
        warn_undefined_auc(auc, 'VesselMetric', 'AUC', hist, 'vessel',
                           'background')
        values = (dice_score(tp, fp, fn), safe_ratio(tp, tp + fp + fn),
                  safe_ratio(tp + tn, tp + fp + fn + tn),
                  safe_ratio(tp, tp + fn), safe_ratio(tn, tn + fp), auc,
                  float(np.mean([r['dice'] for r in results])),
                  cldice_score(
                      np.sum([r['centerline'] for r in results], axis=0)))
        return percent_metrics(
            self.metric_names, values,
            f'vessel results over {len(results)} images')
