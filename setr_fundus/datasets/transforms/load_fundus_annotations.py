"""LoadFundusAnnotations: vessel label and field-of-view mask."""
from typing import Optional

from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS

from ..fundus_io import read_annotations

_GT_KEYS = ('gt_seg_map', 'gt_fov_mask')


@TRANSFORMS.register_module()
class LoadFundusAnnotations(BaseTransform):
    """Load the vessel label and the field-of-view (FOV) mask of an image.

    The fundus counterpart of mmseg's ``LoadAnnotations``, placed after
    ``LoadImageFromFile``. It decodes ``seg_map_path`` and ``fov_path``
    (binarising them, and rejecting labels that are not binary) and checks
    their size against the image. Without a
    ``fov_path`` (sets without masks, a bare photograph given to
    ``MMSegInferencer`` or ``inference_model``) the FOV is derived by
    thresholding the image; without a ``seg_map_path`` there is no label.

    The label and the FOV mask are registered in ``seg_fields`` so that
    mmseg's geometric transforms (``RandomResize``, ``RandomRotate``,
    ``RandomFlip``, ``RandomCrop``) move them with the image. ``RandomRotate``
    pads seg fields with ``seg_pad_val`` (255): the FOV mask therefore means
    "inside the FOV" only where it equals 1, and padded label pixels are
    ignored by the loss (``ignore_index=255``).

    Required Keys:

    - img, img_path (named in errors)
    - seg_map_path (optional), fov_path (optional)

    Added Keys:

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
        """Load the annotations into ``results``.

        Args:
            results (dict): Results of the image loading step.

        Returns:
            dict: ``results`` with the keys listed in the class docstring.
        """
        label, results['gt_fov_mask'] = read_annotations(
            results['img'], results.get('img_path'),
            results.get('seg_map_path'), results.get('fov_path'))
        if label is not None:
            results['gt_seg_map'] = label
        seg_fields = results.setdefault('seg_fields', [])
        if not self.keep_gt_original:
            for key in _GT_KEYS:
                if key in results and key not in seg_fields:
                    seg_fields.append(key)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f'keep_gt_original={self.keep_gt_original})')
