"""Vessel segmentation of one fundus photograph with a trained model."""
import copy
import logging
import re
from typing import List, Optional, Tuple, Union

import cv2
import numpy as np
import torch
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.logging import print_log
from mmengine.registry import init_default_scope
from mmseg.apis import init_model
from mmseg.registry import MODELS
from torch import nn

from ..utils import load_config, load_trusted_checkpoint

# transforms that read annotations, which an unlabelled photograph lacks
_ANNOTATION_LOADERS = ('LoadAnnotations', )


def load_model_weights(model: nn.Module, checkpoint: str) -> dict:
    """Load a checkpoint saved by mmengine (or a bare state dict) into
    ``model``, through :func:`setr_fundus.utils.load_trusted_checkpoint`.

    A ``module.`` prefix (DDP) is stripped. Every model parameter and buffer
    must be in the file; keys the model lacks are ignored with a warning.

    Args:
        model (nn.Module): The model to fill.
        checkpoint (str): Checkpoint path (``{'state_dict': ..., 'meta':
            ...}`` or a state dict).

    Returns:
        dict: The checkpoint's ``meta`` ({} when it has none).

    Raises:
        FileNotFoundError: The file does not exist.
        ValueError: It is not a checkpoint, holds no state dict, or lacks
            keys of the model (named in the message).
    """
    ckpt = load_trusted_checkpoint(checkpoint)
    state_dict = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) \
        else None
    if not isinstance(state_dict, dict) or not all(
            isinstance(v, torch.Tensor) for v in state_dict.values()):
        raise ValueError(f'{checkpoint} holds no state dict of tensors '
                         "(expected {'state_dict': {...}, 'meta': {...}})")
    state_dict = {
        re.sub(r'^module\.', '', k): v
        for k, v in state_dict.items()
    }
    missing, unexpected = model.load_state_dict(state_dict, strict=False)
    if missing:
        raise ValueError(f'{checkpoint} does not fit the model of the config: '
                         f'{len(missing)} missing keys, e.g. {missing[:3]}')
    if unexpected:
        print_log(
            f'{checkpoint}: ignored {len(unexpected)} keys the model lacks, '
            f'e.g. {unexpected[:3]}',
            logger='current',
            level=logging.WARNING)
    return ckpt.get('meta', {}) if 'state_dict' in ckpt else {}


def _inference_pipeline(cfg: Config, tta: bool) -> List[dict]:
    """The config's test (or TTA) pipeline, fed with a decoded image."""
    if tta:
        if 'tta_pipeline' not in cfg or 'tta_model' not in cfg:
            raise KeyError('--tta needs tta_pipeline and tta_model in the '
                           'config')
        pipeline = cfg.tta_pipeline
    elif 'test_dataloader' in cfg:
        pipeline = cfg.test_dataloader.dataset.pipeline
    elif 'test_pipeline' in cfg:
        pipeline = cfg.test_pipeline
    else:
        raise KeyError('the config has no test_dataloader.dataset.pipeline '
                       'or test_pipeline')
    pipeline = [
        copy.deepcopy(t) for t in pipeline
        if t.get('type') not in _ANNOTATION_LOADERS
    ]
    if pipeline and pipeline[0].get('type') == 'LoadImageFromFile':
        pipeline[0]['type'] = 'LoadImageFromNDArray'
    return pipeline


class VesselSegmenter:
    """A trained segmentor with the config's test-time behaviour.

    The image goes through the config's test pipeline (``--tta``: its
    ``tta_pipeline`` and ``tta_model``), the model's data preprocessor and
    its ``predict`` path, i.e. full-resolution sliding windows as in
    ``tools/test.py``.

    Args:
        config (str | Config): Config file or object.
        checkpoint (str): Checkpoint of that model.
        device (str): Torch device. Defaults to 'cpu'.
        tta (bool): Flip test-time augmentation. Defaults to False.
        cfg_options (dict, optional): Config overrides. Defaults to None.
    """

    def __init__(self,
                 config: Union[str, Config],
                 checkpoint: str,
                 device: str = 'cpu',
                 tta: bool = False,
                 cfg_options: Optional[dict] = None) -> None:
        cfg = load_config(config, cfg_options)
        init_default_scope(cfg.get('default_scope', 'mmseg'))
        if 'backbone' in cfg.model:
            cfg.model.backbone.init_cfg = None  # weights come from the ckpt
        model = init_model(cfg, checkpoint=None, device='cpu')
        self.meta = load_model_weights(model, checkpoint)
        if tta:
            model = MODELS.build(dict(cfg.tta_model, module=model))
        self.model = model.to(device).eval()
        self.cfg = cfg
        self.pipeline = Compose(_inference_pipeline(cfg, tta))

    def predict(self, img: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Segment the vessels of one photograph.

        Args:
            img (np.ndarray): uint8 HxWx3 image in BGR order (as
                :func:`setr_fundus.datasets.fundus_io.read_image` returns).

        Returns:
            tuple[np.ndarray, np.ndarray]: Vessel probability (float32 HxW
            in [0, 1]: softmax channel 1 for two output channels, the
            sigmoid for one) and the model's binary prediction (bool HxW),
            both at the image's resolution.
        """
        if img.ndim != 3 or img.shape[2] != 3 or img.dtype != np.uint8:
            raise ValueError('predict needs a uint8 HxWx3 BGR image, got '
                             f'{img.dtype} {img.shape}')
        data = self.pipeline(
            dict(
                img=img,
                img_path=None,
                seg_map_path=None,
                fov_path=None,
                reduce_zero_label=False,
                seg_fields=[]))
        with torch.no_grad():
            sample = self.model.test_step(pseudo_collate([data]))[0]
        logits = sample.seg_logits.data
        if logits.shape[0] == 1:
            prob = logits[0]  # mmseg already applied the sigmoid
        elif logits.shape[0] == 2:
            prob = logits.softmax(dim=0)[1]
        else:
            raise ValueError('vessel segmentation needs 1 or 2 output '
                             f'channels, the model has {logits.shape[0]}')
        mask = sample.pred_sem_seg.data[0] > 0
        return (prob.float().cpu().numpy(), mask.cpu().numpy())


def vessel_overlay(img: np.ndarray,
                   mask: np.ndarray,
                   color: Tuple[int, int, int] = (0, 255, 0),
                   alpha: float = 0.7) -> np.ndarray:
    """Draw the vessel mask on the photograph.

    Args:
        img (np.ndarray): uint8 HxWx3 BGR photograph.
        mask (np.ndarray): HxW vessel mask (non-zero = vessel).
        color (tuple[int, int, int]): Vessel colour, RGB.
            Defaults to green.
        alpha (float): Opacity of the colour on vessels. Defaults to 0.7.

    Returns:
        np.ndarray: uint8 HxWx3 BGR picture.
    """
    if mask.shape != img.shape[:2]:
        raise ValueError(f'mask {mask.shape} and image {img.shape[:2]} '
                         'differ in size')
    tint = np.empty_like(img)
    tint[:] = color[::-1]
    blended = cv2.addWeighted(img, 1 - alpha, tint, alpha, 0)
    out = img.copy()
    vessel = mask.astype(bool)
    out[vessel] = blended[vessel]
    return out
