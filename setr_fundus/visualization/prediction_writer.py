"""One naming rule and one writer for the vessel maps of a photograph,
shared by ``tools/infer.py`` and ``tools/test.py --out``.

For a photograph ``<dir>/<stem>.<ext>`` (``.gz`` too) the files are

- ``<stem>_mask.png``: the binary vessel mask, 0/255;
- ``<stem>_prob.png``: the vessel probability scaled to 0-255;
- ``<stem>_overlay.png``: the mask drawn in green on the photograph;
- ``<stem>_prob.npy``: the float32 probabilities;

all at the photograph's own size.
"""
import os
import os.path as osp
from collections import Counter
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import cv2
import numpy as np
from torch import Tensor

OUTPUT_KINDS = ('mask', 'prob', 'overlay', 'npy')
_SUFFIXES = dict(
    mask='_mask.png', prob='_prob.png', overlay='_overlay.png',
    npy='_prob.npy')


def output_stem(path: str) -> str:
    """The name of ``path`` without its suffix (and a ``.gz``)."""
    name = osp.basename(path)
    if name.lower().endswith('.gz'):
        name = name[:-3]
    return osp.splitext(name)[0]


def unique_stems(paths: Sequence[str]) -> Dict[str, str]:
    """Output stem per input: :func:`output_stem`, or, where two inputs share
    it (``a.png``, ``a.tif``), their whole names with dots turned into
    underscores (``a_png``, ``a_tif``).

    Args:
        paths (Sequence[str]): Input paths.

    Returns:
        dict[str, str]: Stem per path.
    """
    counts = Counter(output_stem(p) for p in paths)
    return {
        p: output_stem(p) if counts[output_stem(p)] == 1 else
        osp.basename(p).replace('.', '_')
        for p in paths
    }


def output_paths(out_dir: str, stem: str,
                 kinds: Iterable[str] = OUTPUT_KINDS[:3]) -> Dict[str, str]:
    """The files written for one photograph.

    Args:
        out_dir (str): Output folder.
        stem (str): Output name stem.
        kinds (Iterable[str]): Which of ``OUTPUT_KINDS``. Defaults to mask,
            prob and overlay.

    Returns:
        dict[str, str]: Path per kind.
    """
    unknown = set(kinds) - set(OUTPUT_KINDS)
    if unknown:
        raise ValueError(f'unknown output kinds {sorted(unknown)}; expected '
                         f'some of {OUTPUT_KINDS}')
    return {k: osp.join(out_dir, stem + _SUFFIXES[k]) for k in kinds}


def vessel_probability(seg_logits: Tensor) -> Tensor:
    """Vessel probability (H, W) of a prediction's ``seg_logits``: softmax
    channel 1 of two, or the single channel (mmseg stores sigmoid
    probabilities for one-channel heads)."""
    if seg_logits.shape[0] == 1:
        return seg_logits[0]
    if seg_logits.shape[0] == 2:
        return seg_logits.softmax(dim=0)[1]
    raise ValueError('vessel segmentation needs 1 or 2 output channels, the '
                     f'model has {seg_logits.shape[0]}')


def vessel_overlay(img: np.ndarray,
                   mask: np.ndarray,
                   color: Tuple[int, int, int] = (0, 255, 0),
                   alpha: float = 0.7) -> np.ndarray:
    """Draw the vessel mask on the photograph.

    Args:
        img (np.ndarray): uint8 HxWx3 BGR photograph.
        mask (np.ndarray): HxW vessel mask (non-zero = vessel).
        color (tuple[int, int, int]): Vessel colour, RGB.
            Defaults to green.
        alpha (float): Opacity of the colour on vessels. Defaults to 0.7.

    Returns:
        np.ndarray: uint8 HxWx3 BGR picture.
    """
    if mask.shape != img.shape[:2]:
        raise ValueError(f'mask {mask.shape} and image {img.shape[:2]} '
                         'differ in size')
    vessel = mask.astype(bool)
    out = img.copy()
    tint = np.array(color[::-1], np.float32)
    out[vessel] = (img[vessel] * (1 - alpha) + tint * alpha + 0.5).astype(
        np.uint8)
    return out


def write_vessel_maps(paths: Dict[str, str],
                      mask: np.ndarray,
                      prob: Optional[np.ndarray] = None,
                      image: Optional[np.ndarray] = None) -> List[str]:
    """Write the files ``paths`` names (see :func:`output_paths`).

    Args:
        paths (dict[str, str]): Path per kind.
        mask (np.ndarray): HxW vessel mask (non-zero = vessel).
        prob (np.ndarray, optional): HxW float vessel probability; needed
            for ``prob`` and ``npy``.
        image (np.ndarray, optional): HxWx3 BGR photograph; needed for
            ``overlay``.

    Returns:
        list[str]: The written files.

    Raises:
        OSError: A file cannot be written (named).
        ValueError: An input a kind needs is missing.
    """
    arrays = dict(
        mask=lambda: (mask > 0).astype(np.uint8) * 255,
        prob=lambda: np.round(np.clip(prob, 0, 1) * 255).astype(np.uint8),
        overlay=lambda: vessel_overlay(image, mask > 0))
    needs = dict(prob=prob, npy=prob, overlay=image)
    missing = [k for k in paths if k in needs and needs[k] is None]
    if missing:
        raise ValueError(f'cannot write {missing}: the probability or the '
                         'photograph is missing')
    for kind, path in paths.items():
        os.makedirs(osp.dirname(path) or '.', exist_ok=True)
        if kind == 'npy':
            np.save(path, prob.astype(np.float32))
        elif not cv2.imwrite(path, arrays[kind]()):
            raise OSError(f'cannot write {path}')
    return list(paths.values())
