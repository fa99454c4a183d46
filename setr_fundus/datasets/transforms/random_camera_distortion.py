"""RandomCameraDistortion: what another fundus camera does to a photograph."""
from typing import Optional, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness
from mmseg.registry import TRANSFORMS


def _check_range(name: str, value: Optional[Tuple[float, float]],
                 low: float) -> None:
    if value is not None and not (len(value) == 2 and
                                  low <= value[0] <= value[1]):
        raise ValueError(f'RandomCameraDistortion: {name} must be None or '
                         f'(low, high) with {low} <= low <= high, got '
                         f'{value!r}')


@TRANSFORMS.register_module()
class RandomCameraDistortion(BaseTransform):
    """Random changes of exposure, white balance, sharpness and noise.

    Photographs of the same retina from two cameras differ in how bright
    the mid-tones come out (gamma), in colour balance (per-channel gain),
    in optical sharpness and in sensor noise; mmseg's
    ``PhotoMetricDistortion`` covers brightness, contrast, saturation and
    hue only. Each effect is drawn independently per sample, in this order:

    - gamma: ``img = 255 * (img / 255) ** g``, ``g`` log-uniform in
      ``gamma_range``;
    - white balance: each channel times ``1 + u``, ``u`` uniform in
      ``[-channel_gain, channel_gain]``;
    - blur (probability ``blur_prob``): Gaussian, sigma uniform in
      ``blur_sigma`` pixels of the normalised image;
    - noise (probability ``noise_prob``): Gaussian, standard deviation
      uniform in ``[0, noise_std]`` grey levels.

    Black stays black under gamma and gain, so the surround of the field
    of view is unchanged by them. Labels are not touched.

    Required Keys:

    - img (uint8)

    Modified Keys:

    - img

    Args:
        gamma_range (tuple[float, float], optional): Range of the gamma
            exponent. Defaults to (0.7, 1.4).
        channel_gain (float): Largest relative change of a channel's gain.
            Defaults to 0.1.
        blur_sigma (tuple[float, float], optional): Range of the blur's
            sigma. Defaults to (0.5, 1.2).
        blur_prob (float): Probability of blurring. Defaults to 0.25.
        noise_std (float): Largest noise standard deviation.
            Defaults to 6.0.
        noise_prob (float): Probability of adding noise. Defaults to 0.25.
    """

    def __init__(self,
                 gamma_range: Optional[Tuple[float, float]] = (0.7, 1.4),
                 channel_gain: float = 0.1,
                 blur_sigma: Optional[Tuple[float, float]] = (0.5, 1.2),
                 blur_prob: float = 0.25,
                 noise_std: float = 6.0,
                 noise_prob: float = 0.25) -> None:
        _check_range('gamma_range', gamma_range, 1e-3)
        _check_range('blur_sigma', blur_sigma, 0.0)
        for name, value, high in (('channel_gain', channel_gain, 1.0),
                                  ('blur_prob', blur_prob, 1.0),
                                  ('noise_prob', noise_prob, 1.0),
                                  ('noise_std', noise_std, 255.0)):
            if not 0 <= value <= high:
                raise ValueError(f'RandomCameraDistortion: {name} must lie '
                                 f'in [0, {high:g}], got {value!r}')
        self.gamma_range = gamma_range
        self.channel_gain = channel_gain
        self.blur_sigma = blur_sigma
        self.blur_prob = blur_prob
        self.noise_std = noise_std
        self.noise_prob = noise_prob

    @cache_randomness
    def _draw(self, channels: int) -> dict:
        gamma = 1.0
        if self.gamma_range is not None:
            gamma = float(
                np.exp(np.random.uniform(*np.log(self.gamma_range))))
        gains = 1 + np.random.uniform(-self.channel_gain, self.channel_gain,
                                      channels)
        sigma = 0.0
        if self.blur_sigma is not None and np.random.rand() < self.blur_prob:
            sigma = float(np.random.uniform(*self.blur_sigma))
        noise = 0.0
        if np.random.rand() < self.noise_prob:
            noise = float(np.random.uniform(0, self.noise_std))
        return dict(gamma=gamma, gains=gains, sigma=sigma, noise=noise)

    def transform(self, results: dict) -> dict:
        """Distort ``results['img']`` (see the class docstring).

        Args:
            results (dict): Result dict with a uint8 ``img``.

        Returns:
            dict: ``results`` with the distorted image.
        """
        img = results['img']
        draw = self._draw(img.shape[2] if img.ndim == 3 else 1)
        out = (img.astype(np.float32) / 255.0)**draw['gamma'] * 255.0
        out *= draw['gains'].astype(np.float32).reshape(
            (1, 1, -1) if img.ndim == 3 else (1, 1))
        if draw['sigma'] > 0:
            out = cv2.GaussianBlur(out, (0, 0), draw['sigma'])
        if draw['noise'] > 0:
            out += np.random.normal(0, draw['noise'],
                                    out.shape).astype(np.float32)
        results['img'] = np.clip(out + 0.5, 0, 255).astype(np.uint8)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(gamma_range={self.gamma_range}, '
                f'channel_gain={self.channel_gain}, '
                f'blur_sigma={self.blur_sigma}, blur_prob={self.blur_prob}, '
                f'noise_std={self.noise_std}, noise_prob={self.noise_prob})')
