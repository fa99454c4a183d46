"""VesselMorphologyMetric: vascular features of the predicted masks, for
``test_evaluator`` beside ``VesselMetric``."""
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger, print_log
from mmseg.registry import METRICS
from prettytable import PrettyTable

from ..datasets.fov_geometry import FOVCircle
from ..fileio import file_stem
from .morphology_table import write_feature_csv
from .vessel_morphology import VesselMorphology

# per-image bookkeeping columns, written to the CSV but not averaged
_NOT_AVERAGED = ('fov_diameter_px', 'fov_fitted', 'scale', 'um_per_px')


@METRICS.register_module()
class VesselMorphologyMetric(BaseMetric):
    """Mean over images of the vascular features of the predicted vessel
    masks (:class:`~setr_fundus.evaluation.VesselMorphology`): density,
    fractal dimension, skeleton length, segments, branch and end points,
    caliber, tortuosity.

    Meant to follow ``VesselMetric`` in a list of metrics::

        test_evaluator = [
            dict(type='VesselMetric'),
            dict(type='VesselMorphologyMetric',
                 output_file='work_dirs/exp1/morphology.csv')]

    Each data sample's ``pred_sem_seg`` (at the photograph's resolution)
    is measured inside its ``gt_fov_mask`` with the FOV circle of its
    ``fov_circle`` metainfo (``ResizeToFOV``); without them the circle is
    fitted to the FOV mask, or assumed as wide as the image. Each image
    adds a dict of floats. Results are reported as ``morph/<feature>``;
    NaN features of an image (e.g. no segment long enough for a
    tortuosity) are left out of their mean.

    Args:
        fov_diameter (int): Normalised FOV diameter. Defaults to 540.
        output_file (str, optional): Also write the per-image features to
            this CSV (as tools/analysis_tools/vessel_morphology.py does).
            Defaults to None.
        collect_device (str): Device for gathering results across ranks,
            ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names. Defaults to
            None (``'morph'``).
        collect_dir (str, optional): Shared directory for gathering results
            on CPU. Defaults to None (a temporary directory).
        **morphology: Further ``VesselMorphology`` arguments
            (``box_sizes``, ``hole_area``, ``spur_length``,
            ``min_segment_length``, ``num_widest``, ``um_per_px``,
            ``field_angle``).
    """
    default_prefix = 'morph'

    def __init__(self,
                 fov_diameter: int = 540,
                 output_file: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 collect_dir: Optional[str] = None,
                 **morphology) -> None:
        super().__init__(
            collect_device=collect_device,
            prefix=prefix,
            collect_dir=collect_dir)
        self.morphology = VesselMorphology(
            fov_diameter=fov_diameter, **morphology)
        self.output_file = output_file

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Measure each data sample's predicted mask.

        Args:
            data_batch (dict): A batch from the dataloader (unused).
            data_samples (Sequence[dict]): Model outputs as dicts with
                ``pred_sem_seg.data`` ``(1, H, W)`` in {0, 1}, optionally
                ``gt_fov_mask.data`` ``(1, H, W)`` (1 inside) and the
                metainfo ``fov_circle`` ``(cx, cy, diameter)`` and
                ``img_path``.
        """
        for sample in data_samples:
            name = file_stem(sample.get('img_path', 'image'))
            try:
                pred = sample['pred_sem_seg']['data']
            except (KeyError, TypeError) as err:
                raise KeyError(
                    'VesselMorphologyMetric needs data_sample["pred_sem_seg"]'
                    f'["data"]; data sample keys: {sorted(sample)}') from err
            fov = sample.get('gt_fov_mask')
            if fov is not None:
                fov = (fov['data'].squeeze(0).cpu().numpy() == 1)
            circle = sample.get('fov_circle')
            if circle is not None:
                circle = FOVCircle(*circle[:3])
            features = self.morphology(
                pred.squeeze(0).cpu().numpy().astype(np.uint8), fov, circle,
                sample.get('img_path', name))
            self.results.append(dict(image=name, **features))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Average the per-image features (and write the CSV).

        Args:
            results (list[dict]): Per-image features from :meth:`process`,
                gathered from all ranks.

        Returns:
            Dict[str, float]: Mean of each feature over the images.
        """
        if not results:
            raise ValueError(
                'VesselMorphologyMetric got no data samples to evaluate')
        columns = self.morphology.columns
        if self.output_file is not None:
            write_feature_csv(results, columns, self.output_file)
        metrics = OrderedDict()
        for column in columns:
            if column in _NOT_AVERAGED:
                continue
            values = np.array([r[column] for r in results], dtype=np.float64)
            valid = values[~np.isnan(values)]
            metrics[column] = round(float(valid.mean()),
                                    4) if valid.size else float('nan')
        table = PrettyTable(field_names=list(metrics))
        table.add_row(list(metrics.values()))
        print_log(
            f'vessel morphology, mean over {len(results)} images '
            f'(normalised FOV diameter {self.morphology.fov_diameter} px):\n'
            f'{table.get_string()}',
            logger=MMLogger.get_current_instance())
        return dict(metrics)
