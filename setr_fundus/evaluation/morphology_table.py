"""Measure listed mask files into per-image feature rows and write them as
a CSV (tools/analysis_tools/vessel_morphology.py,
``VesselMorphologyMetric``)."""
import csv
import math
import os
import os.path as osp
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from ..datasets import PhotoLoader
from ..datasets.fov_geometry import derive_fov
from ..datasets.fundus_io import read_fov, read_label
from ..visualization import draw_morphology
from .morphology_files import MaskFiles
from .vessel_morphology import VesselMorphology


def load_mask_files(
        files: MaskFiles) -> Tuple[np.ndarray, Optional[np.ndarray]]:
    """Decode a mask and its FOV.

    Args:
        files (MaskFiles): The files.

    Returns:
        tuple: uint8 HxW vessel mask in {0, 1} (vessel above half the
        file's maximum: > 127 for 0/255 files) and the uint8 FOV mask, or
        None where there is neither FOV file nor photograph.

    Raises:
        ValueError: If a file is not binary or the sizes differ.
    """
    vessel = read_label(files.mask_path)
    if files.fov_path is not None:
        fov, source = read_fov(files.fov_path), files.fov_path
    elif files.img_path is not None:
        photo = PhotoLoader.default()(files.img_path)
        fov, source = derive_fov(photo), files.img_path
    else:
        return vessel, None
    if fov.shape != vessel.shape:
        raise ValueError(f'mask {files.mask_path} has size {vessel.shape} '
                         f'(HxW) but {source} has size {fov.shape}; expected '
                         'the FOV at the mask\'s resolution')
    return vessel, fov


def measure_files(files: Sequence[MaskFiles],
                  morphology: VesselMorphology,
                  show_dir: Optional[str] = None) -> List[Dict[str, float]]:
    """Measure the masks of ``files``, optionally drawing each.

    Args:
        files (Sequence[MaskFiles]): What
            :func:`~setr_fundus.evaluation.morphology_files.list_mask_folder`
            or ``list_dataset_labels`` lists.
        morphology (VesselMorphology): The measurement.
        show_dir (str, optional): Write
            :func:`~setr_fundus.visualization.draw_morphology`'s picture of
            each image there as ``<image>.png``. Defaults to None.

    Returns:
        list[dict]: Per image, ``image`` and ``morphology.columns``.
    """
    if show_dir is not None:
        os.makedirs(show_dir, exist_ok=True)
    rows = []
    for item in files:
        vessel, fov = load_mask_files(item)
        analysis = morphology.analyse(vessel, fov, name=item.mask_path)
        rows.append(dict(image=item.image, **analysis.features))
        if show_dir is not None:
            path = osp.join(show_dir, f'{item.image}.png')
            if not cv2.imwrite(path, draw_morphology(analysis)):
                raise OSError(f'cannot write {path}')
    return rows


def _csv_cell(value) -> str:
    """A count as an integer, another number with 6 significant digits,
    NaN as an empty cell, text as it is."""
    if isinstance(value, str):
        return value
    if math.isnan(value):
        return ''
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f'{value:.6g}'


def write_feature_csv(rows: Iterable[Dict[str, float]], columns: Sequence[str],
                      path: str) -> None:
    """Write one row per image: ``image`` and the feature columns.

    Counts are written as integers, other numbers with 6 significant
    digits, NaN (undefined, e.g. no segment long enough) as an empty cell.

    Args:
        rows (Iterable[dict]): ``image`` and feature values.
        columns (Sequence[str]): Feature columns after ``image``.
        path (str): The CSV file (its folder is created).
    """
    if osp.dirname(path):
        os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['image', *columns])
        for row in rows:
            writer.writerow(
                [row['image'], *(_csv_cell(row[c]) for c in columns)])
