"""LoadFundusImage: LoadImageFromFile serving the dataset's decoded image."""
from typing import Optional

import numpy as np
from mmcv.transforms import LoadImageFromFile
from mmseg.registry import TRANSFORMS

from ..fundus_io import read_image


@TRANSFORMS.register_module()
class LoadFundusImage(LoadImageFromFile):
    """mmcv's :class:`LoadImageFromFile` that takes an image already decoded.

    :class:`~setr_fundus.datasets.FundusVesselDataset` runs every
    ``LoadImageFromFile`` of its pipeline as this transform, so configs keep
    mmseg's usual first step (which ``MMSegInferencer`` and
    ``mmseg.apis.inference_model`` look for) while the dataset serves its
    cached or synthetic arrays. Without an ``img`` in the results, a local
    file is decoded with the dataset's own reader
    (:func:`~setr_fundus.datasets.fundus_io.read_image`: GIF, ``.gz``,
    16-bit images too, the same pixels the dataset validated), and a remote
    one (``scheme://``) by :class:`LoadImageFromFile` itself.

    Required Keys:

    - img (optional, uint8 HxWx3 BGR) or img_path

    Modified Keys:

    - img, img_shape, ori_shape

    Args:
        **kwargs: As :class:`mmcv.transforms.LoadImageFromFile`;
            ``to_float32`` applies to every image, the decoding options to
            remote files only.
    """

    def transform(self, results: dict) -> Optional[dict]:
        """Put the image into ``results``.

        Args:
            results (dict): Data info, with ``img`` when the dataset
                decoded it, else ``img_path``.

        Returns:
            dict: ``results`` with ``img``, ``img_shape`` and ``ori_shape``.
        """
        img = results.get('img')
        if img is None:
            path = results['img_path']
            if '://' in path:
                return super().transform(results)
            img = read_image(path)
        if self.to_float32:
            img = img.astype(np.float32)
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        return results
