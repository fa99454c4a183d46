"""LoadFundusAnnotations: label and field-of-view mask."""
from typing import Dict, Optional

import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS

from ..fundus_io import read_annotations


@TRANSFORMS.register_module()
class LoadFundusAnnotations(BaseTransform):
    """Load the label and the field-of-view (FOV) mask of an image.

    The fundus counterpart of mmseg's ``LoadAnnotations``, placed after
    ``LoadImageFromFile``. It decodes ``seg_map_path`` by its
    ``label_rule`` (binary when the data info names none, rejecting labels
    that do not fit it), remaps its classes by ``label_map`` as mmseg's
    ``LoadAnnotations`` does (set by ``BaseSegDataset`` when
    ``metainfo=dict(classes=...)`` selects a subset of the classes; the
    others become 255), binarises ``fov_path`` and checks their size
    against the image. Without a
    ``fov_path`` (sets without masks, a bare photograph given to
    ``MMSegInferencer`` or ``inference_model``) the FOV is derived by
    thresholding the image; without a ``seg_map_path`` there is no label.

    Every map loaded (``gt_*`` keys) is registered in ``seg_fields`` so that
    mmseg's geometric transforms (``RandomResize``, ``RandomRotate``,
    ``RandomFlip``, ``RandomCrop``) move them with the image. ``RandomRotate``
    pads seg fields with ``seg_pad_val`` (255): the FOV mask therefore means
    "inside the FOV" only where it equals 1, and padded label pixels are
    ignored by the loss (``ignore_index=255``).

    Required Keys:

    - img, img_path (named in errors)
    - seg_map_path (optional), label_rule (optional, 'binary'),
      label_map (optional), fov_path (optional)

    Added Keys:

    - gt_seg_map (uint8 HxW class indices, {0, 1} for a binary label;
      absent without a label)
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
        label, fov = read_annotations(
            results['img'], results.get('img_path'),
            results.get('seg_map_path'), results.get('fov_path'),
            results.get('label_rule') or 'binary')
        maps = dict(gt_fov_mask=fov)
        if label is not None:
            maps = dict(
                gt_seg_map=apply_label_map(label, results.get('label_map')),
                **maps)
        results.update(maps)
        seg_fields = results.setdefault('seg_fields', [])
        if not self.keep_gt_original:
            seg_fields.extend(key for key in maps if key not in seg_fields)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f'keep_gt_original={self.keep_gt_original})')


def apply_label_map(label: np.ndarray,
                    label_map: Optional[Dict[int, int]]) -> np.ndarray:
    """Remap class indices as mmseg's ``LoadAnnotations`` does.

    Args:
        label (np.ndarray): HxW class indices.
        label_map (dict, optional): Old index -> new index (255: ignored);
            None leaves ``label`` as it is.

    Returns:
        np.ndarray: The remapped label (``label`` itself without a map).
    """
    if label_map is None:
        return label
    remapped = label.copy()
    for old_id, new_id in label_map.items():
        remapped[label == old_id] = new_id
    return remapped
