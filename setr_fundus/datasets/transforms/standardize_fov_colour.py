"""StandardizeFOVColour: one colour mean and spread for every photograph."""
from typing import Sequence, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS

from ..fov_geometry import derive_fov


def fov_colour_stats(img: np.ndarray,
                     fov: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of each channel of ``img`` over the
    pixels where ``fov`` > 0, exactly (float64), each of shape (C,)."""
    mean, std = cv2.meanStdDev(
        np.ascontiguousarray(img), mask=(fov > 0).astype(np.uint8))
    return mean.ravel(), std.ravel()


@TRANSFORMS.register_module()
class StandardizeFOVColour(BaseTransform):
    """Shift and scale each channel so that the field of view (FOV) has
    the given mean and standard deviation.

    Cameras, exposure and pigmentation move a photograph's brightness far
    more than the difference between its arteries and veins (on RITE's
    training photographs the vessels' mean value varies by a standard
    deviation of 34 between photographs, while arteries and veins differ
    by 8.5 within one: docs/artery_vein.md). Mapping every FOV to one mean
    and spread per channel keeps the within-photograph contrasts and
    removes most of that between-photograph shift. Statistics are taken
    over ``gt_fov_mask`` where it matches the image, else over the FOV
    derived from the image; only FOV pixels change (rounded and clipped to
    the image's 0-255), so the dark surround and a FOV derived later stay
    as they were. Placed with the loading steps (inside ``CachedLoad`` in
    training), it runs once per photograph.

    Args:
        mean (Sequence[float]): Target mean of each channel, in the loaded
            image's channel order (BGR for mmcv's ``LoadImageFromFile``).
        std (Sequence[float]): Target standard deviation of each channel.
    """

    def __init__(self, mean: Sequence[float], std: Sequence[float]) -> None:
        if len(mean) != 3 or len(std) != 3 or min(std) <= 0:
            raise ValueError('StandardizeFOVColour needs 3 means and 3 '
                             f'positive standard deviations, got mean={mean}'
                             f', std={std}')
        self.mean = np.asarray(mean, dtype=np.float32)
        self.std = np.asarray(std, dtype=np.float32)

    def transform(self, results: dict) -> dict:
        """Standardise ``results['img']`` inside its FOV (uint8 out)."""
        img = np.ascontiguousarray(results['img'])
        fov = results.get('gt_fov_mask')
        if fov is None or fov.shape != img.shape[:2]:
            fov = derive_fov(img)
        inside = (fov > 0).astype(np.uint8)
        if not inside.any():
            raise ValueError(
                f'{results.get("img_path")}: no field of view to '
                'standardise the colours of (empty FOV mask)')
        own_mean, own_std = fov_colour_stats(img, inside)
        # the same affine map for every pixel of a channel: a lookup table
        # of its 256 levels, applied to the FOV's pixels only
        levels = np.arange(256, dtype=np.float64)[:, None]
        table = (levels - own_mean) / np.maximum(own_std, 1e-3)
        table = np.clip(np.rint(table * self.std + self.mean), 0, 255)
        mapped = cv2.LUT(img, table.astype(np.uint8)[:, None, :])
        cv2.copyTo(img, 1 - inside, mapped)  # the surround as it was
        results['img'] = mapped
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(mean={self.mean.tolist()}, '
                f'std={self.std.tolist()})')
