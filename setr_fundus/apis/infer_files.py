"""Segment the photographs of a folder or a list, one shard of them, and
record each in the shard's CSV (the logic behind ``tools/infer.py``)."""
import csv
import errno
import math
import os
import os.path as osp
import re
import time
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.utils import ProgressBar

from ..evaluation.photograph_biomarkers import (artery_vein_classes,
                                                measure_photograph)
from ..fileio import (IMAGE_SUFFIXES, is_image_file, prediction_kinds,
                      prediction_paths, unique_stems)
from ..visualization import write_prediction_maps
from .inference import VesselSegmenter
from .inference_csv import (ARTERY_VEIN_COLUMNS, COLUMNS, ShardCSV, done_stems,
                            merge_shard_csvs, ok_row, shard_csv_path)
from .photo_dataset import PhotoDataset, photo_dataloader
from .sharding import Shard

#: Hidden temporary files of ``setr_fundus.fileio.atomic_file``.
_TEMPORARY = re.compile(r'\.(.+)\.[0-9a-f]{8}\.tmp')


def read_path_list(list_file: str) -> List[str]:
    """The photographs of a CSV list: its ``path`` column (other columns
    are ignored, so a results table of ``tools/infer.py`` works too);
    relative paths are taken from the list's folder.

    Args:
        list_file (str): A ``.csv`` file with a header naming ``path``.

    Returns:
        list[str]: Paths, sorted, each once.

    Raises:
        ValueError: No ``path`` column, or no rows.
    """
    with open(list_file, encoding='utf-8', newline='') as f:
        reader = csv.DictReader(f)
        if 'path' not in (reader.fieldnames or []):
            raise ValueError(f'{list_file} has no "path" column (header: '
                             f'{reader.fieldnames}); put the photographs '
                             'under a header line "path"')
        folder = osp.dirname(osp.abspath(list_file))
        paths = {
            osp.join(folder, row['path'])
            for row in reader if row['path']
        }
    if not paths:
        raise ValueError(f'{list_file} lists no photograph')
    return sorted(paths)


def list_images(input_path: str) -> List[str]:
    """The images to segment: the file itself, the photographs of a CSV
    list (:func:`read_path_list`), or a folder's image files
    (:func:`~setr_fundus.fileio.is_image_file`; not its subfolders),
    sorted.

    Args:
        input_path (str): An image file, a ``.csv`` list or a folder.

    Returns:
        list[str]: Paths.

    Raises:
        FileNotFoundError: ``input_path`` does not exist.
        ValueError: The folder or list holds no image file.
    """
    if osp.isfile(input_path):
        if input_path.lower().endswith('.csv'):
            return read_path_list(input_path)
        return [input_path]
    if not osp.isdir(input_path):
        raise FileNotFoundError(f'input not found: {input_path}')
    paths = sorted(
        osp.join(input_path, name) for name in os.listdir(input_path)
        if is_image_file(name) and osp.isfile(osp.join(input_path, name)))
    if not paths:
        raise ValueError(f'no image files ({", ".join(IMAGE_SUFFIXES)}, '
                         f'optionally .gz) in {input_path}')
    return paths


class InferenceStopped(RuntimeError):
    """An output could not be written (e.g. the disk is full); the run
    stopped, leaving no half-written file under an output name."""


@dataclass
class InferenceSummary:
    """What a run of :func:`segment_files` did.

    Args:
        out_dir (str): Output folder.
        shard (Shard): The part of the list this run segmented.
        csv_path (str): The shard's CSV.
        written (list[str]): Inputs segmented by this run.
        skipped (list[str]): Inputs of the shard with a row from an earlier
            run (segmented or failed then).
        failed (list[tuple[str, str]]): Inputs of the shard that could not
            be read, by this run or an earlier one, and why.
        images_per_s (float): Photographs this run segmented or failed,
            per second of its loop (workers starting included).
    """
    out_dir: str
    shard: Shard = Shard(0, 1)
    csv_path: str = ''
    written: List[str] = field(default_factory=list)
    skipped: List[str] = field(default_factory=list)
    failed: List[Tuple[str, str]] = field(default_factory=list)
    images_per_s: float = 0.0

    def __str__(self) -> str:
        lines = [
            f'shard {self.shard}: {len(self.written)} ok, '
            f'{len(self.skipped)} skipped (done before; --overwrite redoes '
            f'them), {len(self.failed)} failed; {self.images_per_s:.2f} '
            f'images/s; '
            f'outputs in {self.out_dir}, rows in {self.csv_path}'
        ]
        lines += [f'failed: {path}: {why}' for path, why in self.failed]
        return '\n'.join(lines)


def remove_temporaries(out_dir: str, names: Iterable[str]) -> int:
    """Remove the hidden temporary files a killed run left for these
    output files (one listing of the folder). Other shards' temporary files
    (of other names) are left alone.

    Args:
        out_dir (str): Output folder.
        names (Iterable[str]): Output file names (no folder).

    Returns:
        int: Files removed.
    """
    names = set(names)
    removed = 0
    for entry in os.scandir(out_dir):
        match = _TEMPORARY.fullmatch(entry.name)
        if match and match[1] in names:
            os.remove(entry.path)
            removed += 1
    return removed


def _stop(out_dir: str, err: OSError) -> InferenceStopped:
    """The error that stops a run whose output could not be written."""
    cause = err
    while cause is not None and cause.errno is None:
        cause = cause.__cause__ if isinstance(cause.__cause__,
                                              OSError) else None
    what = ('the disk is full' if cause is not None
            and cause.errno == errno.ENOSPC else 'an output cannot be written')
    return InferenceStopped(
        f'stopped: {what} ({err}). No half-written file is left under an '
        f'output name in {out_dir}; free space (or fix the folder) and run '
        'the same command again: photographs with a row in the CSV are '
        'kept, the others are segmented.')


def _photographs_to_do(paths: Iterable[str], stems: Dict[str, str],
                       done: Dict[str, Dict[str, str]],
                       summary: InferenceSummary) -> List[Tuple[str, str]]:
    """``(path, stem)`` of the photographs without a row in ``done``; the
    others are added to ``summary`` as skipped (and failed, if so)."""
    todo = []
    for path in paths:
        row = done.get(stems[path])
        if row is None:
            todo.append((path, stems[path]))
            continue
        summary.skipped.append(path)
        if row['status'] != 'ok':
            summary.failed.append((path, row['reason']))
    return todo


def _biomarker_columns(item: dict, class_map: np.ndarray,
                       probs: np.ndarray, classes: Sequence[str],
                       units: Dict[str, Optional[float]]
                       ) -> Tuple[Dict[str, str], Optional[tuple]]:
    """The artery/vein columns of a segmented photograph and its disc
    circle ``(cx, cy, radius)`` for the overlay (None if not found)."""
    sample = item['data']['data_samples']
    sample = sample[0] if isinstance(sample, list) else sample
    fov = sample.get('gt_fov_mask')
    if fov is None:
        why = ('the config\'s pipeline loads no field-of-view mask '
               '(LoadFundusAnnotations)')
        return dict(reason=f'no biomarkers: {why}'), None
    try:
        found = measure_photograph(
            item['img'], fov.data[0].cpu().numpy(), class_map, classes,
            probs, name=item['path'], **units)
    except ValueError as err:  # e.g. no visible field of view
        return dict(reason=f'no biomarkers: {err}'), None
    columns = {
        key: f'{value:.6g}'
        for key, value in found.values.items() if math.isfinite(value)
    }
    columns['reason'] = found.reason_text()
    disc = found.zone_b_disc()
    return columns, disc


def segment_files(segmenter: VesselSegmenter,
                  paths: List[str],
                  out_dir: str,
                  shard: Shard = Shard(0, 1),
                  overwrite: bool = False,
                  save_npy: bool = False,
                  num_workers: int = 0,
                  progress: bool = True,
                  um_per_px: Optional[float] = None,
                  field_angle: Optional[float] = None) -> InferenceSummary:
    """Segment one shard of the photographs, write their files (those of
    :mod:`setr_fundus.fileio.prediction_files` for the model's classes,
    each atomically) in ``out_dir``, and append each photograph's row to
    the shard's CSV once its files are in place
    (:mod:`~setr_fundus.apis.inference_csv`).

    A photograph with a row in any shard CSV of ``out_dir`` is skipped
    unless ``overwrite`` (which also empties this shard's CSV), so a rerun
    after a kill does only what is missing; a photograph without a row is
    segmented again and its files replaced. Photographs are decoded
    (:attr:`VesselSegmenter.loader`) and prepared
    (:attr:`VesselSegmenter.pipeline`) by ``num_workers`` worker
    processes while the model runs. One that cannot be read gets a
    ``failed`` row with the reason, and the run goes on. A single shard
    (1/1) also joins the CSVs into ``inference.csv`` at the end.

    For a model with artery and vein classes each row also holds the optic
    disc, CRAE, CRVE, AVR and per-class features of the photograph at its
    own size (:func:`~setr_fundus.evaluation.photograph_biomarkers.
    measure_photograph`), ``reason`` says why any of them is empty, and
    the overlay shows the disc and zone B.

    Args:
        segmenter (VesselSegmenter): The model.
        paths (list[str]): All the photographs, sorted (the same list in
            every shard; the output stems are chosen over all of them).
        out_dir (str): Output folder (created if missing).
        shard (Shard): The part of ``paths`` to segment. Defaults to all.
        overwrite (bool): Redo photographs that have a row. Defaults to
            False.
        save_npy (bool): Also save float probabilities. Defaults to False.
        num_workers (int): Data loader worker processes. Defaults to 0.
        progress (bool): Show a progress bar (images/s and ETA). Defaults
            to True.
        um_per_px (float, optional): Micrometres per pixel of the
            photographs, for the artery/vein calibres in um.
        field_angle (float, optional): The camera's field angle (degrees
            across the FOV), instead of ``um_per_px``.

    Returns:
        InferenceSummary: What the run did.

    Raises:
        InferenceStopped: An output or a row cannot be written (the disk
            is full, ...).
    """
    os.makedirs(out_dir, exist_ok=True)
    stems = unique_stems(paths)
    classes = segmenter.dataset_meta['classes']
    kinds = prediction_kinds(classes, save_npy)
    measure = artery_vein_classes(classes) is not None
    units = dict(um_per_px=um_per_px, field_angle=field_angle)
    summary = InferenceSummary(
        out_dir=out_dir, shard=shard, csv_path=shard_csv_path(out_dir, *shard))
    todo = _photographs_to_do(
        shard.select(paths), stems, {} if overwrite else done_stems(out_dir),
        summary)
    remove_temporaries(
        out_dir, (osp.basename(p) for _, stem in todo
                  for p in prediction_paths(out_dir, stem, kinds).values()))
    loader = photo_dataloader(
        PhotoDataset(todo, segmenter.loader, segmenter.pipeline), num_workers)
    bar = ProgressBar(len(todo)) if progress and todo else None
    start = time.perf_counter()
    try:
        table = ShardCSV(
            summary.csv_path,
            restart=overwrite,
            columns=ARTERY_VEIN_COLUMNS if measure else COLUMNS)
    except OSError as err:
        raise _stop(out_dir, err) from err
    with table:
        for item in loader:
            tick = time.perf_counter()
            path, stem = item['path'], item['stem']
            if 'error' in item:
                row = dict(
                    path=path,
                    stem=stem,
                    status='failed',
                    reason=item['error'])
                summary.failed.append((path, item['error']))
            else:
                probs, class_map = segmenter.predict_prepared(item['data'])
                biomarkers, disc = _biomarker_columns(
                    item, class_map, probs, classes,
                    units) if measure else ({}, None)
                try:
                    write_prediction_maps(
                        prediction_paths(out_dir, stem, kinds), class_map,
                        probs, item['img'], segmenter.dataset_meta, disc)
                except OSError as err:
                    raise _stop(out_dir, err) from err
                row = ok_row(path, stem, item['data'], class_map)
                row.update(biomarkers)
                summary.written.append(path)
            row['seconds'] = (
                f'{item["seconds"] + time.perf_counter() - tick:.3f}')
            try:
                table.append(row)
            except OSError as err:
                raise _stop(out_dir, err) from err
            if bar is not None:
                bar.update()
    elapsed = time.perf_counter() - start
    summary.images_per_s = len(todo) / elapsed if todo and elapsed else 0.0
    if shard.count == 1:
        merge_shard_csvs(out_dir)
    return summary
