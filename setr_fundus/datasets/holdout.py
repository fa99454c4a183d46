"""Validation images held out of a set's training part.

The public sets have no validation part, so the last images of the training
part (in the listing order of :mod:`setr_fundus.datasets.layouts`) validate
and the rest train: choosing a checkpoint never looks at test images.
"""
from typing import List, Sequence, Tuple, Union

from .layouts import SampleFiles


def check_holdout(holdout: Union[int, float]) -> None:
    """Raise ``ValueError`` unless ``holdout`` is a count (int >= 0) or a
    fraction (float in [0, 1))."""
    valid = not isinstance(holdout, bool) and (
        (isinstance(holdout, int) and holdout >= 0) or
        (isinstance(holdout, float) and 0 <= holdout < 1))
    if not valid:
        raise ValueError('holdout must be a count of images (int >= 0) or a '
                         f'fraction of the training part (float in [0, 1)), '
                         f'got {holdout!r}')


def holdout_count(holdout: Union[int, float], num_train: int) -> int:
    """Number of training images ``holdout`` asks for.

    Args:
        holdout (int | float): A count (int >= 0) or a fraction of the
            training part (float in [0, 1), rounded, at least 1 when > 0).
        num_train (int): Size of the training part.

    Returns:
        int: Images to hold out, leaving at least one to train on.

    Raises:
        ValueError: For a bad ``holdout`` or one that leaves no training
            image.
    """
    check_holdout(holdout)
    if isinstance(holdout, float):
        count = max(int(round(holdout * num_train)), 1) if holdout else 0
    else:
        count = holdout
    if count and count >= num_train:
        raise ValueError(f'holdout={holdout!r} takes {count} of the '
                         f'{num_train} training images and leaves none to '
                         'train on; lower it, or set holdout=0 to train on '
                         'all of them (without validation images)')
    return count


def holdout_split(files: Sequence[SampleFiles], holdout: Union[int, float]
                  ) -> Tuple[List[SampleFiles], List[SampleFiles]]:
    """Split a training part into images to train on and held-out ones.

    Args:
        files (Sequence[dict]): The training part, in listing order.
        holdout (int | float): See :func:`holdout_count`.

    Returns:
        tuple[list, list]: ``(train, held_out)``; the held-out images are
        the last ``holdout_count(holdout, len(files))`` ones.
    """
    count = holdout_count(holdout, len(files))
    cut = len(files) - count
    return list(files[:cut]), list(files[cut:])
