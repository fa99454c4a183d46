"""Decoding vessel labels and FOV masks, and reading file headers.

Photographs are decoded by the configs' loading step (mmcv's
``LoadImageFromFile``; outside a pipeline
:class:`~setr_fundus.datasets.PhotoLoader`). Labels and masks are read with
PIL, which handles the formats the public sets ship (.gif, .ppm, .tif, .jpg,
.png) and, through ``gzip``, their ``.gz`` versions (STARE). FOV masks come
back as uint8 HxW in {0, 1}; labels as uint8 HxW class indices decoded by a
label rule (:mod:`setr_fundus.datasets.label_rules`), {0, 1} under the
binary rule.

Binarising labels: a label is first reduced to one grey value per pixel
(the maximum over colour channels after palette expansion, or the raw value
of 16-bit/float images). A pixel is vessel where that value is above half of
the label's maximum, which is mmseg's ``value >= 128`` rule for 0/255 labels
and also reads 0/1 labels, palette GIFs and one-coloured labels. A label
counts as binary when at most ``NON_BINARY_TOLERANCE`` (2 %) of its pixels
lie in the middle half of its value range, which tolerates JPEG ringing and
anti-aliased edges but rejects grey-level images and multi-class maps, and
when its foreground is of one colour (RITE's red/blue/green/white
artery/vein labels are refused, naming the colours found).
"""
import gzip
import io
import os.path as osp
from typing import Optional, Tuple

import numpy as np
from PIL import Image, UnidentifiedImageError

from .fov_geometry import derive_fov
from .label_rules import (NON_BINARY_TOLERANCE, check_one_colour,
                          decode_classes, get_label_rule)

#: PIL modes of files with more than 8 bits per pixel.
HIGH_DEPTH_MODES = ('I;16', 'I;16B', 'I;16L', 'I;16N', 'I', 'F')
_DECODE_ERRORS = (UnidentifiedImageError, OSError, EOFError, SyntaxError,
                  ValueError)


def _open(path: str, kind: str) -> Image.Image:
    """Open and fully decode ``path`` with PIL (``.gz`` transparently)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'{kind} file not found: {path}')
    try:
        if path.lower().endswith('.gz'):
            with gzip.open(path, 'rb') as f:
                pil = Image.open(io.BytesIO(f.read()))
        else:
            pil = Image.open(path)
        pil.load()
    except _DECODE_ERRORS as err:
        raise ValueError(f'cannot decode {kind} file {path}: {err}') from err
    return pil


def read_header(path: str, kind: str) -> Tuple[Tuple[int, int], str]:
    """Size and mode of an image file from its header, without decoding the
    pixels (``.gz`` files are decompressed only up to the header).

    Args:
        path (str): The file.
        kind (str): What it is ('image', 'label', 'FOV mask'), for errors.

    Returns:
        tuple: ``((height, width), mode)``, ``mode`` as PIL names it.

    Raises:
        FileNotFoundError: If the file is missing.
        ValueError: If PIL does not recognise it as an image.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'{kind} file not found: {path}')
    try:
        opener = gzip.open if path.lower().endswith('.gz') else open
        with opener(path, 'rb') as f, Image.open(f) as pil:
            return (pil.height, pil.width), pil.mode
    except _DECODE_ERRORS as err:
        raise ValueError(f'cannot decode {kind} file {path}: {err}') from err


def _grey(pil: Image.Image, path: str, kind: str) -> np.ndarray:
    """One value per pixel: raw for 16-bit/float, else max over RGB of a
    label of one colour."""
    if pil.mode in HIGH_DEPTH_MODES:
        return np.asarray(pil).astype(np.float32)
    if pil.mode != 'L':
        rgb = np.asarray(pil.convert('RGB'))
        check_one_colour(rgb, path, kind)
        return rgb.max(axis=2)
    return np.asarray(pil)


def _binarise(grey: np.ndarray, path: str, kind: str) -> np.ndarray:
    """Threshold at half the maximum; reject non-binary maps."""
    top = float(grey.max())
    low, high = 0.25 * top, 0.75 * top
    middle = np.count_nonzero((grey > low) & (grey < high))
    if middle > NON_BINARY_TOLERANCE * grey.size:
        values = np.unique(grey)
        shown = ', '.join(f'{v:g}' for v in values[:8])
        more = ', ...' if values.size > 8 else ''
        raise ValueError(
            f'{kind} {path} is not binary: {middle / grey.size:.1%} of its '
            f'pixels lie between {low:g} and {high:g} (at most '
            f'{NON_BINARY_TOLERANCE:.0%} allowed); values {shown}{more}')
    return (grey > 0.5 * top).astype(np.uint8)


def read_label(path: str, rule: str = 'binary') -> np.ndarray:
    """Read a label and decode it with a label rule.

    Args:
        path (str): Label file (any format PIL reads, optionally ``.gz``).
        rule (str): Name of a rule in
            :data:`~setr_fundus.datasets.label_rules.LABEL_RULES`. Defaults
            to 'binary' (see the module docstring).

    Returns:
        np.ndarray: uint8 HxW class indices (1 for vessel and 0 for
        background under the binary rule; 255 ignored).

    Raises:
        ValueError: If the file cannot be decoded or does not fit the rule.
    """
    label_rule = get_label_rule(rule)
    pil = _open(path, 'label')
    if label_rule.binary:
        return _binarise(_grey(pil, path, 'label'), path, 'label')
    indexed = ('P', ) if label_rule.index_coded else ()
    if pil.mode not in ('L', *indexed, *HIGH_DEPTH_MODES):
        pil = pil.convert('RGB')
    return decode_classes(np.asarray(pil), label_rule, path)


def read_fov(path: str) -> np.ndarray:
    """Read a field-of-view mask and binarise it like a label.

    Args:
        path (str): FOV mask file (e.g. DRIVE's ``*_mask.gif``).

    Returns:
        np.ndarray: uint8 HxW, 1 inside the FOV.
    """
    return _binarise(
        _grey(_open(path, 'FOV mask'), path, 'FOV mask'), path, 'FOV mask')


def read_annotations(
        img: np.ndarray,
        img_path: str,
        seg_map_path: Optional[str],
        fov_path: Optional[str] = None,
        label_rule: str = 'binary'
) -> Tuple[Optional[np.ndarray], np.ndarray]:
    """Decode the label and FOV mask of a decoded image and check sizes.

    Args:
        img (np.ndarray): The decoded image (HxWx3).
        img_path (str): Its file, named in error messages.
        seg_map_path (str, optional): Vessel label file; None for unlabeled
            images.
        fov_path (str, optional): FOV mask file; None derives the FOV from
            the image with
            :func:`~setr_fundus.datasets.fov_geometry.derive_fov`.
        label_rule (str): Rule decoding the label (see :func:`read_label`).
            Defaults to 'binary'.

    Returns:
        tuple: ``(label, fov)`` as returned by :func:`read_label` (None
        without ``seg_map_path``) and :func:`read_fov` / ``derive_fov``.

    Raises:
        ValueError: If a file cannot be decoded, a label does not fit its
            rule, a mask is not binary, or sizes differ (naming both files
            and shapes).
    """
    label = None
    if seg_map_path is not None:
        label = read_label(seg_map_path, label_rule)
        _check_size(img, img_path, label, seg_map_path, 'label')
    if fov_path is None:
        fov = derive_fov(img)
    else:
        fov = read_fov(fov_path)
        _check_size(img, img_path, fov, fov_path, 'FOV mask')
    return label, fov


def _check_size(img: np.ndarray, img_path: str, other: np.ndarray,
                other_path: str, kind: str) -> None:
    """Raise if ``other`` (label or mask) is not the image's size."""
    if other.shape[:2] != img.shape[:2]:
        raise ValueError(
            f'{kind} {other_path} has size {other.shape[:2]} (HxW) but image '
            f'{img_path} has size {img.shape[:2]}')
