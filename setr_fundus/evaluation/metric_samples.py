"""What :class:`~setr_fundus.evaluation.VesselMetric` and
:class:`~setr_fundus.evaluation.AVMetric` share: reading a data sample's
maps, and logging the results."""
import logging
from collections import OrderedDict
from typing import Dict, Sequence

import numpy as np
import torch
from mmengine.logging import MMLogger, print_log
from prettytable import PrettyTable
from torch import Tensor

#: The maps a data sample must hold for the pixel metrics.
REQUIRED_FIELDS = ('pred_sem_seg', 'seg_logits', 'gt_sem_seg')


def sample_fields(data_sample: dict, metric: str) -> Dict[str, Tensor]:
    """The maps of one data sample: :data:`REQUIRED_FIELDS` and, where
    present, ``gt_fov_mask``, each ``data_sample[key]['data']``.

    Args:
        data_sample (dict): A model output as a dict.
        metric (str): The metric's name, for the messages.

    Returns:
        dict[str, Tensor]: The maps by key.

    Raises:
        KeyError: A required map is missing (the keys there are named).
        ValueError: The maps differ in (H, W) (the label's original size is
            expected).
    """
    keys = REQUIRED_FIELDS + (('gt_fov_mask', )
                              if 'gt_fov_mask' in data_sample else ())
    fields = {}
    for key in keys:
        try:
            fields[key] = torch.as_tensor(data_sample[key]['data'])
        except (KeyError, TypeError) as err:
            raise KeyError(
                f'{metric} needs data_sample["{key}"]["data"], but {key} is '
                f'missing; data sample keys: {sorted(data_sample)}') from err
    shapes = {key: tuple(val.shape) for key, val in fields.items()}
    if len({shape[-2:] for shape in shapes.values()}) != 1:
        raise ValueError(
            f'{metric} needs pred_sem_seg, seg_logits, gt_sem_seg and '
            "gt_fov_mask at the same (H, W), the label's original "
            f'resolution, got shapes {shapes} for '
            f'{data_sample.get("img_path", "a data sample")}')
    return fields


def warn_undefined_auc(auc: float, metric: str, name: str,
                       hist: np.ndarray, positive: str,
                       negative: str) -> None:
    """Log a warning when an AUC is NaN, counting the pixels of each side.

    Args:
        auc (float): The AUC.
        metric (str): The metric's name.
        name (str): The AUC's name (``AUC``, ``AUC_AV``).
        hist (np.ndarray): ``(2, bins)`` histograms, negative first.
        positive (str): What the positive pixels are.
        negative (str): What the negative pixels are.
    """
    if np.isnan(auc):
        print_log(
            f'{metric}: {name} is undefined (NaN) because the evaluated '
            f'pixels hold {int(hist[1].sum())} {positive} and '
            f'{int(hist[0].sum())} {negative} pixels',
            logger=MMLogger.get_current_instance(),
            level=logging.WARNING)


def percent_metrics(names: Sequence[str], values: Sequence[float],
                    title: str) -> Dict[str, float]:
    """The values in percent (2 decimals), logged as a table.

    Args:
        names (Sequence[str]): Metric names.
        values (Sequence[float]): Fractions, one per name.
        title (str): The table's title line.

    Returns:
        dict[str, float]: Name -> percent, in order.
    """
    metrics = OrderedDict(
        (name, round(value * 100, 2)) for name, value in zip(names, values))
    table = PrettyTable(field_names=list(metrics))
    table.add_row(list(metrics.values()))
    print_log(
        f'{title}:\n{table.get_string()}',
        logger=MMLogger.get_current_instance())
    return dict(metrics)
