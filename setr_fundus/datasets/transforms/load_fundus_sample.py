"""LoadFundusSample: image, vessel label and FOV mask in one step."""
from typing import Optional

from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS

from ..fundus_io import derive_fov, read_sample

_GT_KEYS = ('gt_seg_map', 'gt_fov_mask')


@TRANSFORMS.register_module()
class LoadFundusSample(BaseTransform):
    """Load a fundus image with its vessel label and field-of-view mask.

    Takes the arrays ``FundusVesselDataset`` puts into the data info when it
    caches (``img``, ``gt_seg_map``, ``gt_fov_mask``; already copies, so
    in-place transforms such as ``CLAHE`` are safe); otherwise decodes
    ``img_path``, ``seg_map_path`` and ``fov_path`` (deriving the FOV by
    thresholding the image when ``fov_path`` is None).

    The label and the FOV mask are registered in ``seg_fields`` so that
    mmseg's geometric transforms (``RandomResize``, ``RandomRotate``,
    ``RandomFlip``, ``RandomCrop``) move them with the image. ``RandomRotate``
    pads seg fields with ``seg_pad_val`` (255): the FOV mask therefore means
    "inside the FOV" only where it equals 1, and padded label pixels are
    ignored by the loss (``ignore_index=255``).

    Required Keys:

    - img_path, seg_map_path (optional), fov_path (optional)
    - img, gt_seg_map, gt_fov_mask (optional, from the cache)

    Added Keys:

    - img (uint8 HxWx3 BGR), img_shape, ori_shape
    - gt_seg_map (uint8 HxW in {0, 1}; absent without a label)
    - gt_fov_mask (uint8 HxW in {0, 1})
    - seg_fields

    Args:
        keep_gt_original (bool): Leave the label and FOV mask out of
            ``seg_fields`` so that geometric transforms do not touch them,
            as mmseg's test pipelines load annotations after ``Resize``.
            Use it in val/test pipelines that resize the image, so metrics
            are computed at the label's original resolution.
            Defaults to False.
    """

    def __init__(self, keep_gt_original: bool = False) -> None:
        self.keep_gt_original = keep_gt_original

    def transform(self, results: dict) -> Optional[dict]:
        """Load the sample into ``results``.

        Args:
            results (dict): Data info from the dataset.

        Returns:
            dict: ``results`` with the keys listed in the class docstring.
        """
        if results.get('img') is None:
            img, label, fov = read_sample(results['img_path'],
                                          results.get('seg_map_path'),
                                          results.get('fov_path'))
            results['img'] = img
            if label is not None:
                results['gt_seg_map'] = label
            results['gt_fov_mask'] = fov
        elif results.get('gt_fov_mask') is None:
            results['gt_fov_mask'] = derive_fov(results['img'])
        results['img_shape'] = results['img'].shape[:2]
        results['ori_shape'] = results['img'].shape[:2]
        seg_fields = results.setdefault('seg_fields', [])
        if not self.keep_gt_original:
            for key in _GT_KEYS:
                if key in results and key not in seg_fields:
                    seg_fields.append(key)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f'keep_gt_original={self.keep_gt_original})')
