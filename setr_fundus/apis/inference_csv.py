"""The results table of ``tools/infer.py``: one row per photograph, written
by each shard to its own CSV file and joined by :func:`merge_shard_csvs`.

A shard appends a photograph's row, flushed and synced to disk, only after
all the photograph's output files are in place (each written atomically),
so a row means "done" and a photograph without a row is segmented again on
a rerun: an interrupted run loses only the photographs in flight. A row
is one line (reasons have their line breaks removed); a line cut short by
a kill is dropped when the file is read and cut off when the shard opens
it again.

Columns (:data:`COLUMNS`): ``path``, ``stem`` (of the output files),
``status`` (``ok`` or ``failed``), ``reason`` (why it failed), ``height``,
``width`` (of the photograph), ``fov_x``, ``fov_y``, ``fov_diameter`` (the
FOV circle ``ResizeToFOV`` found, in the photograph's pixels),
``scale_x``, ``scale_y`` (the factors it was rescaled by for the model),
``vessel_fraction`` (vessel pixels / FOV pixels, at the photograph's size)
and ``seconds`` (decoding, model and writing of that photograph). A model
with artery and vein classes adds :data:`ARTERY_VEIN_COLUMNS` (the optic
disc, CRAE, CRVE, AVR and per-class features:
:mod:`setr_fundus.evaluation.photograph_biomarkers`); in its ``ok`` rows
``reason`` says why each empty value is empty.
"""
import csv
import glob
import io
import os
import os.path as osp
import re
from typing import Dict, Iterable, List, Optional, Sequence, TextIO, Tuple

import numpy as np

from ..evaluation.photograph_biomarkers import BIOMARKER_COLUMNS
from ..fileio import atomic_file

COLUMNS = ('path', 'stem', 'status', 'reason', 'height', 'width', 'fov_x',
           'fov_y', 'fov_diameter', 'scale_x', 'scale_y', 'vessel_fraction',
           'seconds')
#: The columns of an artery/vein model's table.
ARTERY_VEIN_COLUMNS = COLUMNS + BIOMARKER_COLUMNS
_TABLES = (COLUMNS, ARTERY_VEIN_COLUMNS)
#: Name of the joined table in the output folder.
MERGED_CSV = 'inference.csv'
_SHARD_PATTERN = re.compile(r'inference-shard-(\d+)-of-(\d+)\.csv')


def shard_csv_path(out_dir: str, index: int, count: int) -> str:
    """The CSV of shard ``index`` (0-based) of ``count``.

    Args:
        out_dir (str): Output folder.
        index (int): 0-based shard index.
        count (int): Number of shards.

    Returns:
        str: ``<out_dir>/inference-shard-<K>-of-<N>.csv``, K 1-based, both
        zero-padded to 5 digits.
    """
    return osp.join(out_dir,
                    f'inference-shard-{index + 1:05d}-of-{count:05d}.csv')


def ok_row(path: str, stem: str, data: dict,
           class_map: np.ndarray) -> Dict[str, object]:
    """The row of a segmented photograph.

    Args:
        path (str): The photograph.
        stem (str): Its output stem.
        data (dict): The pipeline's output for it
            (:meth:`VesselSegmenter.prepare`): its data sample (the first
            one with TTA) carries ``fov_circle`` and ``scale_factor``
            (``ResizeToFOV``) and ``gt_fov_mask`` at the photograph's size
            (``LoadFundusAnnotations``); columns of what a config's
            pipeline lacks stay empty.
        class_map (np.ndarray): HxW predicted classes (0 = background).

    Returns:
        dict: Values by column but ``seconds``.
    """
    sample = data['data_samples']
    sample = sample[0] if isinstance(sample, list) else sample
    row = dict(
        path=path,
        stem=stem,
        status='ok',
        height=class_map.shape[0],
        width=class_map.shape[1])
    circle = sample.metainfo.get('fov_circle')
    if circle is not None:
        row.update(
            zip(('fov_x', 'fov_y', 'fov_diameter'),
                (f'{v:.2f}' for v in circle)))
    scale = sample.metainfo.get('scale_factor')
    if scale is not None:
        row.update(scale_x=f'{scale[0]:.6f}', scale_y=f'{scale[1]:.6f}')
    fov = sample.get('gt_fov_mask')
    if fov is not None:
        inside = fov.data[0].cpu().numpy() > 0
        row['vessel_fraction'] = f'{(class_map[inside] > 0).mean():.6f}' \
            if inside.any() else ''
    return row


def _complete_text(path: str) -> str:
    """The file's text up to its last line break (a row cut short by a
    kill is left out)."""
    with open(path, encoding='utf-8', newline='') as f:
        text = f.read()
    return text[:text.rfind('\n') + 1]


def read_rows(path: str) -> List[Dict[str, str]]:
    """The complete rows of one shard CSV.

    Args:
        path (str): The file.

    Returns:
        list[dict[str, str]]: One dict per row, keys :data:`COLUMNS` or
        :data:`ARTERY_VEIN_COLUMNS`.

    Raises:
        ValueError: The header is neither (file named).
    """
    reader = csv.DictReader(io.StringIO(_complete_text(path)))
    if reader.fieldnames and tuple(reader.fieldnames) not in _TABLES:
        raise ValueError(f'{path} has the columns {reader.fieldnames}, not '
                         f'those of tools/infer.py: {list(COLUMNS)}, for '
                         f'an artery/vein model followed by '
                         f'{list(BIOMARKER_COLUMNS)}')
    return list(reader)


def shard_csvs(out_dir: str) -> List[str]:
    """The shard CSVs in an output folder, sorted.

    Args:
        out_dir (str): Output folder.

    Returns:
        list[str]: Their paths.
    """
    return sorted(
        path for path in glob.glob(osp.join(out_dir, 'inference-shard-*'))
        if _SHARD_PATTERN.fullmatch(osp.basename(path)))


def done_stems(out_dir: str) -> Dict[str, Dict[str, str]]:
    """The photographs that have a row in any shard CSV of ``out_dir``
    (whatever the split that wrote it), by output stem.

    Args:
        out_dir (str): Output folder.

    Returns:
        dict[str, dict[str, str]]: The row per stem.
    """
    return {
        row['stem']: row
        for path in shard_csvs(out_dir) for row in read_rows(path)
    }


class ShardCSV:
    """A shard's CSV, open for appending one row per photograph.

    On opening, a line cut short by a kill is cut off and the header is
    written if the file is new (or ``restart``). Close it with
    :meth:`close` or use it as a context manager.

    Args:
        path (str): The file (:func:`shard_csv_path`).
        restart (bool): Empty the file first (``--overwrite``). Defaults to
            False.
        columns (Sequence[str]): :data:`COLUMNS` or
            :data:`ARTERY_VEIN_COLUMNS`. Defaults to :data:`COLUMNS`.

    Raises:
        ValueError: The file has rows under other columns (a table of
            another kind of model: named).
    """

    def __init__(self,
                 path: str,
                 restart: bool = False,
                 columns: Sequence[str] = COLUMNS) -> None:
        self.path = path
        keep = '' if restart or not osp.exists(path) else _complete_text(path)
        header = keep.partition('\n')[0]
        if keep and tuple(next(csv.reader([header]))) != tuple(columns):
            raise ValueError(
                f'{path} holds rows of another kind of model (columns '
                f'{header}); write into another --out folder, or redo it '
                'with --overwrite')
        self._file: TextIO = open(path, 'a+', encoding='utf-8', newline='')
        self._file.truncate(len(keep.encode('utf-8')))
        self._writer = csv.DictWriter(
            self._file, fieldnames=list(columns), lineterminator='\n')
        if not keep:
            self._writer.writeheader()
            self._sync()

    def _sync(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())

    def append(self, row: Dict[str, object]) -> None:
        """Write one row and sync it to disk.

        Args:
            row (dict): Values by column; missing columns stay empty.

        Raises:
            OSError: It cannot be written (e.g. the disk is full).
        """
        row = dict(row)
        row['reason'] = ' '.join(str(row.get('reason', '')).split())
        self._writer.writerow(row)
        self._sync()

    def close(self) -> None:
        """Close the file."""
        self._file.close()

    def __enter__(self) -> 'ShardCSV':
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _missing_shards(paths: Iterable[str]) -> List[str]:
    """``K/N`` of the shards whose CSV is absent, for each N present."""
    seen = {
        tuple(map(int,
                  _SHARD_PATTERN.fullmatch(osp.basename(p)).groups()))
        for p in paths
    }
    return [
        f'{k}/{n}' for n in sorted({n
                                    for _, n in seen})
        for k in range(1, n + 1) if (k, n) not in seen
    ]


def merge_shard_csvs(out_dir: str,
                     merged: Optional[str] = None) -> Tuple[str, dict]:
    """Join the shard CSVs of ``out_dir`` into one table sorted by path,
    written atomically.

    Args:
        out_dir (str): Output folder of the shards.
        merged (str, optional): Output file. Defaults to
            ``<out_dir>/inference.csv``.

    Returns:
        tuple[str, dict]: The written file and counts: ``rows``, ``ok``,
        ``failed``, and ``missing_shards`` (``K/N`` of shards with no CSV).

    Raises:
        FileNotFoundError: ``out_dir`` holds no shard CSV.
        ValueError: A photograph has rows in two files (named).
    """
    paths = shard_csvs(out_dir)
    if not paths:
        raise FileNotFoundError(f'no inference-shard-*.csv in {out_dir}')
    rows, source, columns = [], {}, {}
    for path in paths:
        for row in read_rows(path):
            columns.setdefault(tuple(row), path)
            if len(columns) > 1:
                raise ValueError(
                    f'{" and ".join(columns.values())} have different '
                    'columns (models of different classes); remove the '
                    'shard CSVs of the model you no longer use')
            if row['stem'] in source:
                raise ValueError(
                    f'{row["path"]} has rows in {source[row["stem"]]} and '
                    f'{path}; remove the shard CSV of the split you no '
                    'longer use')
            source[row['stem']] = path
            rows.append(row)
    rows.sort(key=lambda row: row['path'])
    text = io.StringIO()
    writer = csv.DictWriter(
        text, fieldnames=list(next(iter(columns), COLUMNS)),
        lineterminator='\n')
    writer.writeheader()
    writer.writerows(rows)
    merged = merged or osp.join(out_dir, MERGED_CSV)
    with atomic_file(merged) as f:
        f.write(text.getvalue().encode('utf-8'))
    failed = sum(row['status'] != 'ok' for row in rows)
    return merged, dict(
        rows=len(rows),
        ok=len(rows) - failed,
        failed=failed,
        missing_shards=_missing_shards(paths))
