"""Segment image files or a folder and write masks, probabilities and
overlays (the logic behind ``tools/infer.py``)."""
import logging
import os
import os.path as osp
from dataclasses import dataclass, field
from typing import List, Tuple

from mmengine.logging import print_log
from mmengine.utils import ProgressBar

from ..fileio import (IMAGE_SUFFIXES, is_image_file, prediction_kinds,
                      prediction_paths, unique_stems)
from ..visualization import write_prediction_maps
from .inference import VesselSegmenter


def list_images(input_path: str) -> List[str]:
    """The images to segment: the file itself, or a folder's image files
    (:func:`~setr_fundus.fileio.is_image_file`; not its subfolders),
    sorted.

    Args:
        input_path (str): An image file or a folder.

    Returns:
        list[str]: Paths.

    Raises:
        FileNotFoundError: ``input_path`` does not exist.
        ValueError: The folder holds no image file.
    """
    if osp.isfile(input_path):
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


@dataclass
class InferenceSummary:
    """What a run of :func:`segment_files` did.

    Args:
        out_dir (str): Output folder.
        written (list[str]): Inputs whose outputs were written.
        skipped (list[str]): Inputs skipped because outputs existed.
        failed (list[tuple[str, str]]): Unreadable inputs and why.
    """
    out_dir: str
    written: List[str] = field(default_factory=list)
    skipped: List[str] = field(default_factory=list)
    failed: List[Tuple[str, str]] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [
            f'{len(self.written)} ok, {len(self.skipped)} skipped (outputs '
            f'exist; --overwrite replaces them), {len(self.failed)} failed; '
            f'outputs in {self.out_dir}'
        ]
        lines += [f'failed: {path}: {why}' for path, why in self.failed]
        return '\n'.join(lines)


def segment_files(segmenter: VesselSegmenter,
                  paths: List[str],
                  out_dir: str,
                  overwrite: bool = False,
                  save_npy: bool = False,
                  progress: bool = True) -> InferenceSummary:
    """Segment images and write, per image, in ``out_dir`` the files of
    :mod:`setr_fundus.fileio.prediction_files` for the model's classes
    (for a vessel model the mask, probability and overlay, and with
    ``save_npy`` the float32 probabilities).

    Images are read by the segmenter's
    :class:`~setr_fundus.datasets.PhotoLoader` (the config's own loading
    step). An image whose outputs already exist (any of them) is skipped
    with a message unless ``overwrite``. Unreadable images are reported and
    skipped; the run goes on.

    Args:
        segmenter (VesselSegmenter): The model.
        paths (list[str]): Image files.
        out_dir (str): Output folder (created if missing).
        overwrite (bool): Replace existing outputs. Defaults to False.
        save_npy (bool): Also save float probabilities. Defaults to False.
        progress (bool): Show a progress bar. Defaults to True.

    Returns:
        InferenceSummary: Written, skipped and failed inputs.
    """
    os.makedirs(out_dir, exist_ok=True)
    summary = InferenceSummary(out_dir=out_dir)
    stems = unique_stems(paths)
    kinds = prediction_kinds(segmenter.dataset_meta['classes'], save_npy)
    bar = ProgressBar(len(paths)) if progress else None
    for path in paths:
        outputs = prediction_paths(out_dir, stems[path], kinds)
        existing = [p for p in outputs.values() if osp.exists(p)]
        if existing and not overwrite:
            print_log(
                f'skipped {path}: {existing[0]} exists (use '
                '--overwrite to replace)',
                logger='current')
            summary.skipped.append(path)
        else:
            try:
                img = segmenter.loader(path)
            except (OSError, ValueError) as err:
                print_log(
                    f'failed {path}: {err}',
                    logger='current',
                    level=logging.WARNING)
                summary.failed.append((path, str(err)))
            else:
                probs, class_map = segmenter.predict(img)
                write_prediction_maps(outputs, class_map, probs, img,
                                      segmenter.dataset_meta)
                summary.written.append(path)
        if bar is not None:
            bar.update()
    return summary
