"""Resampling label maps of any number of classes without losing thin
structures.

Each class present (the ignore value 255 included, as a class of its own)
is resampled as the fraction of each target pixel it covers: area averaging
to shrink, bilinear interpolation to grow. A binary {0, 1} map is 1 where
the fraction of 1 is at least ``threshold``; any other map takes the class
of largest fraction, and where several classes tie the **highest value
wins** (vessel over background, vein over artery, 255 over any class), the
binary rule's tie at ``threshold=0.5``. docs/data.md measures how often
ties happen. Measurements that must not grow vessels by the ties
(:func:`~setr_fundus.evaluation.morphology_ops.resample_binary`) split a
binary map's exact ties on a checkerboard instead (``checkerboard_ties``):
integer shrink factors put many vessel edges exactly halfway.
"""
from typing import Sequence

import cv2
import numpy as np


def resample_fraction(array: np.ndarray, size: Sequence[int]) -> np.ndarray:
    """Area averaging to shrink, bilinear to grow.

    Args:
        array (np.ndarray): HxW or HxWxC array.
        size (Sequence[int]): Target ``(width, height)``.

    Returns:
        np.ndarray: The resampled array (``array`` itself at equal size).
    """
    size = (int(size[0]), int(size[1]))
    if size == (array.shape[1], array.shape[0]):
        return array
    shrink = size[0] * size[1] < array.shape[0] * array.shape[1]
    return cv2.resize(
        array, size, interpolation=cv2.INTER_AREA if shrink else
        cv2.INTER_LINEAR)


def resample_label(label: np.ndarray,
                   size: Sequence[int],
                   threshold: float = 0.5,
                   checkerboard_ties: bool = False) -> np.ndarray:
    """Resample a label map by class fractions (see the module docstring).

    Args:
        label (np.ndarray): HxW integer class map (255: ignored).
        size (Sequence[int]): Target ``(width, height)``.
        threshold (float): Fraction of 1 that makes a binary map's pixel 1.
            Defaults to 0.5.
        checkerboard_ties (bool): For a binary map, set a pixel whose
            fraction equals ``threshold`` (within 1e-6) only on the even
            squares of a checkerboard, and one above it always. Defaults to
            False (ties are 1).

    Returns:
        np.ndarray: The class map at ``size``, of ``label``'s dtype.

    Raises:
        ValueError: If ``threshold`` is not 0.5 for a map of more than two
            classes (the argmax rule has no threshold).
    """
    values = np.unique(label)
    if values.size and values.max() <= 1 and values.min() >= 0:
        fraction = resample_fraction(label.astype(np.float32), size)
        if not checkerboard_ties:
            return (fraction >= threshold).astype(label.dtype)
        rows, cols = np.indices(fraction.shape)
        tie = np.abs(fraction - threshold) < 1e-6
        return ((fraction > threshold) | (tie & ((rows + cols) % 2 == 0))
                ).astype(label.dtype)
    if threshold != 0.5:
        raise ValueError(
            f'a threshold ({threshold}) applies to {{0, 1}} maps only; this '
            f'map holds {values[:8].tolist()}')
    fractions = np.stack([
        resample_fraction((label == v).astype(np.float32), size)
        for v in values[::-1]
    ])
    # argmax takes the first of tied maxima: values run high to low
    return values[::-1][fractions.argmax(axis=0)].astype(label.dtype)
