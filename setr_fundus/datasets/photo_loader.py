"""Decoding photographs as a config decodes them, for ``tools/infer.py``,
the visualisation hook and any other tool that reads photographs outside a
data set."""
import copy
from typing import Union

import numpy as np
from mmengine.config import Config
from mmseg.registry import TRANSFORMS

from .fundus_io import HIGH_DEPTH_MODES, read_header

#: The loading step of the configs (``load_image`` in
#: ``configs/_base_/datasets/fundus_vessel.py``; a test keeps them equal), for
#: tools that read photographs without a config.
DEFAULT_LOAD_STEP = dict(
    type='LoadImageFromFile',
    imdecode_backend='pillow',
    color_type='color_ignore_orientation',
    backend_args=dict(backend='local_gzip'))


class PhotoLoader:
    """Read a photograph with a config's loading step.

    The step is built from mmseg's ``TRANSFORMS`` registry (which holds
    mmcv's), e.g. the ``LoadImageFromFile`` of
    ``configs/_base_/datasets/fundus_vessel.py``: PIL, EXIF rotation
    ignored, ``.gz`` files through the ``local_gzip`` backend. A photograph
    with more than 8 bits per channel is refused, as the data sets refuse
    it, because that decoder would clip it.

    Args:
        load_cfg (dict): The loading transform, e.g.
            ``cfg.test_pipeline[0]``; it must put a uint8 HxWx3 BGR image
            into ``results['img']`` for ``dict(img_path=path)``.
    """

    def __init__(self, load_cfg: dict) -> None:
        self.transform = TRANSFORMS.build(copy.deepcopy(load_cfg))

    @classmethod
    def from_config(cls, cfg: Union[Config, dict]) -> 'PhotoLoader':
        """The loader of the first step of ``cfg.test_pipeline`` (the
        pipeline of mmseg's inference APIs).

        Args:
            cfg (Config | dict): A config with ``test_pipeline``.

        Returns:
            PhotoLoader: The loader.

        Raises:
            KeyError: The config has no ``test_pipeline``.
        """
        if not cfg.get('test_pipeline'):
            raise KeyError('reading photographs as the config does needs '
                           'test_pipeline, whose first step loads the image')
        return cls(cfg['test_pipeline'][0])

    @classmethod
    def default(cls) -> 'PhotoLoader':
        """The loader of the configs' loading step,
        :data:`DEFAULT_LOAD_STEP`, for tools without a config."""
        return cls(DEFAULT_LOAD_STEP)

    def __call__(self, path: str) -> np.ndarray:
        """Decode one photograph.

        Args:
            path (str): Image file.

        Returns:
            np.ndarray: uint8 HxWx3 image in BGR order.

        Raises:
            FileNotFoundError: The file does not exist.
            ValueError: It cannot be decoded, has more than 8 bits per
                channel, or the step gives no uint8 HxWx3 image (each
                naming the file).
        """
        _, mode = read_header(path, 'image')
        if mode in HIGH_DEPTH_MODES:
            raise ValueError(
                f'image {path} has {mode!r} pixels (more than 8 bits per '
                'channel); convert it to an 8-bit RGB file first')
        try:
            img = self.transform(dict(img_path=path))['img']
        except Exception as err:
            raise ValueError(f'cannot decode image {path}: '
                             f'{type(err).__name__}: {err}') from err
        if img.ndim != 3 or img.shape[2] != 3 or img.dtype != np.uint8:
            raise ValueError(f'{self.transform!r} gave a {img.dtype} image '
                             f'of shape {img.shape} for {path}; expected '
                             'uint8 HxWx3')
        return np.ascontiguousarray(img)
