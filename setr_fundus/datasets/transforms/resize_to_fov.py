"""ResizeToFOV: rescale a photograph so that its FOV has a set diameter, or
a fraction of its own where the photograph has more pixels."""
from typing import Optional, Tuple

import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness
from mmseg.registry import TRANSFORMS

from ..fov_geometry import FOVCircle, derive_fov, fit_fov_circle
from ..image_detail import resolved_fov_diameter
from ..label_resampling import resample_fraction, resample_label


@TRANSFORMS.register_module()
class ResizeToFOV(BaseTransform):
    """Rescale an image so that its field of view (FOV) is ``fov_diameter``
    pixels wide, whatever the camera.

    The FOV circle is estimated from ``gt_fov_mask`` (the set's mask file or
    the derived one, see :mod:`setr_fundus.datasets.fov_geometry`; derived
    from the image when there is no mask), so a photograph of any resolution
    is segmented at one vessel scale. The aspect ratio is kept.

    With ``max_fov_diameter``, the scale follows the photograph's resolution
    instead: the target is ``native_fraction`` of the FOV diameter its
    detail supports (its own, halved for every factor of 2 it was enlarged
    by: :func:`~setr_fundus.datasets.image_detail.resolved_fov_diameter`),
    at least ``fov_diameter`` and at most ``max_fov_diameter``. A photograph
    with many pixels across its FOV is then segmented finer than the
    normalised scale (thin vessels resolved, widths drawn in finer pixels)
    and one with few, or an enlarged one, at ``fov_diameter`` as before. The
    fraction and the cap were chosen on training photographs of three
    cameras (docs/scale.md).

    In training, ``ratio_range`` draws the target diameter at random around
    that target (the scale jitter is relative to the FOV, not to a fixed
    image size).

    The image is resampled with area averaging when it shrinks and bilinear
    interpolation when it grows. The maps in ``seg_fields`` (label and FOV
    mask in training; test pipelines keep them at the original resolution
    with ``LoadFundusAnnotations(keep_gt_original=True)``) are resampled the
    same way as class fractions by
    :func:`~setr_fundus.datasets.label_resampling.resample_label`: a binary
    pixel is vessel (or inside the FOV) where at least ``label_threshold``
    (the FOV: half) of it is, a pixel of a multi-class map (or one with
    ignored 255 pixels) takes the class of largest fraction, the highest on
    ties. Shrinking therefore keeps most 1-px vessels, which
    nearest-neighbour sampling breaks up, and keeps the vessel area
    unbiased (docs/data.md has the measurement).

    Predictions map back to the photograph's pixels through
    ``ori_shape``, as for mmseg's ``Resize`` (the segmentor resizes its
    logits to it); ``scale_factor`` and ``fov_circle`` (centre and diameter
    in the *original* pixels) go into the metainfo.

    Required Keys:

    - img
    - gt_fov_mask (optional; derived from ``img`` when absent)
    - seg_fields (optional) and the maps it names
    - img_path (optional, named in errors)

    Modified Keys:

    - img, img_shape, the maps in ``seg_fields``

    Added Keys:

    - scale_factor ((w_scale, h_scale), as mmcv's ``Resize``)
    - fov_circle ((cx, cy, diameter) in original pixels)
    - gt_fov_mask (when derived)

    Args:
        fov_diameter (int): Target FOV diameter in pixels (the least one,
            with ``max_fov_diameter``). Defaults to 540 (DRIVE's, so DRIVE
            photographs keep their scale).
        max_fov_diameter (int, optional): The largest target FOV diameter
            of a photograph with more pixels; None: always
            ``fov_diameter``. Defaults to None.
        native_fraction (float): With ``max_fov_diameter``, the target as a
            fraction of the photograph's own FOV diameter. Defaults to 0.5.
        ratio_range (tuple[float, float], optional): Random factor on the
            target diameter, drawn uniformly from this range per sample
            (training). Defaults to None (exactly ``fov_diameter``).
        label_threshold (float): Fraction of a resampled binary label
            pixel that must be vessel for it to count as vessel; labels of
            more classes take 0.5 only. Defaults to 0.5.
    """

    def __init__(self,
                 fov_diameter: int = 540,
                 ratio_range: Optional[Tuple[float, float]] = None,
                 label_threshold: float = 0.5,
                 max_fov_diameter: Optional[int] = None,
                 native_fraction: float = 0.5) -> None:
        if isinstance(fov_diameter, bool) or not isinstance(
                fov_diameter, (int, float)) or fov_diameter < 16:
            raise ValueError('ResizeToFOV: fov_diameter must be a number of '
                             f'pixels >= 16, got {fov_diameter!r}')
        if ratio_range is not None and not (len(ratio_range) == 2 and
                                            0 < ratio_range[0] <=
                                            ratio_range[1]):
            raise ValueError('ResizeToFOV: ratio_range must be (low, high) '
                             f'with 0 < low <= high, got {ratio_range!r}')
        if max_fov_diameter is not None and (
                isinstance(max_fov_diameter, bool)
                or not isinstance(max_fov_diameter, (int, float))
                or max_fov_diameter < fov_diameter):
            raise ValueError('ResizeToFOV: max_fov_diameter must be None or '
                             'a number of pixels >= fov_diameter '
                             f'({fov_diameter}), got {max_fov_diameter!r}')
        if isinstance(native_fraction, bool) or not isinstance(
                native_fraction, (int, float)) or not 0 < native_fraction <= 1:
            raise ValueError('ResizeToFOV: native_fraction must lie in (0, '
                             f'1], got {native_fraction!r}')
        if not 0 < label_threshold < 1:
            raise ValueError('ResizeToFOV: label_threshold must lie in '
                             f'(0, 1), got {label_threshold!r}')
        self.fov_diameter = fov_diameter
        self.ratio_range = ratio_range
        self.label_threshold = label_threshold
        self.max_fov_diameter = max_fov_diameter
        self.native_fraction = native_fraction

    def target_diameter(self, img: np.ndarray, circle: FOVCircle) -> float:
        """The FOV diameter the photograph ``img`` with FOV ``circle`` is
        segmented at (before ``ratio_range``)."""
        if self.max_fov_diameter is None or (
                self.native_fraction * circle.diameter <= self.fov_diameter):
            return float(self.fov_diameter)
        return float(
            np.clip(self.native_fraction * resolved_fov_diameter(img, circle),
                    self.fov_diameter, self.max_fov_diameter))

    @cache_randomness
    def _ratio(self) -> float:
        if self.ratio_range is None:
            return 1.0
        return float(np.random.uniform(*self.ratio_range))

    def transform(self, results: dict) -> dict:
        """Resize ``results`` (see the class docstring).

        Args:
            results (dict): Result dict after the loading transforms.

        Returns:
            dict: ``results`` at the normalised scale.
        """
        img = results['img']
        if results.get('gt_fov_mask') is None:
            results['gt_fov_mask'] = derive_fov(img)
        circle = fit_fov_circle(results['gt_fov_mask'],
                                results.get('img_path'))
        scale = self.target_diameter(
            img, circle) * self._ratio() / circle.diameter
        h, w = img.shape[:2]
        size = (max(int(round(w * scale)), 1), max(int(round(h * scale)), 1))
        results['img'] = resample_fraction(img, size)
        for key in results.get('seg_fields', []):
            threshold = self.label_threshold if key == 'gt_seg_map' else 0.5
            results[key] = resample_label(results[key], size, threshold)
        results['img_shape'] = results['img'].shape[:2]
        results['scale_factor'] = (size[0] / w, size[1] / h)
        results['fov_circle'] = tuple(float(v) for v in circle[:3])
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(fov_diameter='
                f'{self.fov_diameter}, ratio_range={self.ratio_range}, '
                f'label_threshold={self.label_threshold}, '
                f'max_fov_diameter={self.max_fov_diameter}, '
                f'native_fraction={self.native_fraction})')
