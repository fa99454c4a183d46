"""PackFundusInputs: PackSegInputs plus the FOV mask and further maps."""
from typing import Sequence

import numpy as np
from mmcv.transforms import to_tensor
from mmengine.structures import PixelData
from mmseg.datasets.transforms import PackSegInputs
from mmseg.registry import TRANSFORMS

FUNDUS_META_KEYS = ('img_path', 'seg_map_path', 'ori_shape', 'img_shape',
                    'pad_shape', 'scale_factor', 'flip', 'flip_direction',
                    'reduce_zero_label', 'fov_circle')
#: Maps that ``PackSegInputs`` packs itself.
_PACKED_BY_MMSEG = ('gt_seg_map', 'gt_edge_map', 'gt_depth_map')


@TRANSFORMS.register_module()
class PackFundusInputs(PackSegInputs):
    """Pack inputs like ``PackSegInputs`` and add the fundus maps.

    Every HxW ``gt_*`` array that ``PackSegInputs`` does not pack (the FOV
    mask, later other maps) becomes a ``PixelData`` of the data sample under
    its own name, e.g. ``data_sample.gt_fov_mask``, whose ``data`` is a
    uint8 tensor of shape (1, H, W); 1 means inside the FOV (other values,
    0 or the rotation pad 255, mean outside).

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
            dict: ``inputs`` and ``data_samples``, the latter carrying the
            further maps (``gt_fov_mask`` when ``results`` has one).
        """
        packed = super().transform(results)
        for key, value in results.items():
            if (key.startswith('gt_') and key not in _PACKED_BY_MMSEG
                    and isinstance(value, np.ndarray) and value.ndim == 2):
                data = to_tensor(np.ascontiguousarray(value[None, ...]))
                packed['data_samples'].set_data({key: PixelData(data=data)})
        return packed
