"""PackFundusInputs: PackSegInputs plus the FOV mask."""
from typing import Sequence

import numpy as np
from mmcv.transforms import to_tensor
from mmengine.structures import PixelData
from mmseg.datasets.transforms import PackSegInputs
from mmseg.registry import TRANSFORMS

FUNDUS_META_KEYS = ('img_path', 'seg_map_path', 'ori_shape', 'img_shape',
                    'pad_shape', 'scale_factor', 'flip', 'flip_direction',
                    'reduce_zero_label', 'fov_circle')


@TRANSFORMS.register_module()
class PackFundusInputs(PackSegInputs):
    """Pack inputs like ``PackSegInputs`` and add the field-of-view mask.

    The mask becomes ``data_sample.gt_fov_mask``, a ``PixelData`` whose
    ``data`` is a uint8 tensor of shape (1, H, W); 1 means inside the FOV
    (other values, 0 or the rotation pad 255, mean outside).

    Args:
        meta_keys (tuple[str]): Meta keys to pack: ``PackSegInputs``' and
            ``fov_circle`` (centre and diameter of the FOV in the
            photograph's pixels, from ``ResizeToFOV``).
    """

    def __init__(self, meta_keys: Sequence[str] = FUNDUS_META_KEYS) -> None:
        super().__init__(meta_keys=tuple(meta_keys))

    def transform(self, results: dict) -> dict:
        """Pack ``results`` (see ``PackSegInputs.transform``).

        Args:
            results (dict): Result dict from the data pipeline.

        Returns:
            dict: ``inputs`` and ``data_samples``, the latter carrying
            ``gt_fov_mask`` when ``results`` has one.
        """
        packed = super().transform(results)
        fov = results.get('gt_fov_mask')
        if fov is not None:
            data = to_tensor(np.ascontiguousarray(fov[None, ...]))
            packed['data_samples'].set_data(
                dict(gt_fov_mask=PixelData(data=data)))
        return packed
