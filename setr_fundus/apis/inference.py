"""Vessel segmentation of one fundus photograph with a trained model, on
mmseg's ``init_model`` and the steps of its ``inference_model``."""
import copy
import logging
import re
from typing import Optional, Tuple, Union

import numpy as np
import torch
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.logging import print_log
from mmseg.apis import init_model
from mmseg.registry import MODELS
from torch import nn

from ..datasets import FundusVesselDataset, PhotoLoader
from ..models.utils import class_probabilities
from ..utils import (check_state_dict_shapes, load_config,
                     load_trusted_checkpoint)


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
        ValueError: It is not a checkpoint, holds no state dict, lacks
            keys of the model or holds tensors of another shape (named in
            the message).
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
    check_state_dict_shapes(checkpoint, state_dict, model)
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


class VesselSegmenter:
    """A trained segmentor predicting as ``tools/test.py`` does.

    The model is built by mmseg's ``init_model`` and each photograph goes
    through the steps of ``inference_model`` (the config's
    ``test_pipeline``: the FOV rescaled to ``fov_diameter``; the model's
    ``test_step``: sliding windows, logits back at the photograph's size),
    split in two (:meth:`prepare`, :meth:`predict_prepared`) so that data
    loader workers can run the first. With ``tta`` the config's
    ``tta_pipeline`` and ``tta_model`` average the photograph and its
    flips.

    Args:
        config (str | Config): Config file or object.
        checkpoint (str): Checkpoint of that model (any file
            :func:`load_model_weights` reads); the classes and palette come
            from its ``meta['dataset_meta']``, else from
            :class:`FundusVesselDataset`.
        device (str): Torch device. Defaults to 'cpu'.
        tta (bool): Flip test-time augmentation. Defaults to False.
        cfg_options (dict, optional): Config overrides, as
            ``--cfg-options``. Defaults to None.

    Attributes:
        loader (PhotoLoader): Reads photographs with the config's loading
            step, ready for :meth:`predict`.
        pipeline (Compose): The test (or TTA) pipeline from an array, which
            :meth:`prepare` runs.
        dataset_meta (dict): ``classes`` (and ``palette``) of the model.
    """

    def __init__(self,
                 config: Union[str, Config],
                 checkpoint: str,
                 device: str = 'cpu',
                 tta: bool = False,
                 cfg_options: Optional[dict] = None) -> None:
        cfg = load_config(config, cfg_options)
        if tta and ('tta_pipeline' not in cfg or 'tta_model' not in cfg):
            raise KeyError('--tta needs tta_pipeline and tta_model in the '
                           'config')
        self.loader = PhotoLoader.from_config(cfg)
        if 'backbone' in cfg.model:
            cfg.model.backbone.init_cfg = None  # weights come from the ckpt
        model = init_model(cfg, checkpoint=None, device='cpu')
        self.meta = load_model_weights(model, checkpoint)
        self.dataset_meta = dict(
            self.meta.get('dataset_meta', FundusVesselDataset.METAINFO))
        num_classes = model.decode_head.num_classes
        if len(self.dataset_meta['classes']) != num_classes:
            raise ValueError(
                f'{checkpoint} names the classes '
                f'{list(self.dataset_meta["classes"])} but the model of the '
                f'config predicts {num_classes}; use the checkpoint '
                'trained with this config')
        model.dataset_meta = self.dataset_meta
        self.model = model.to(device).eval()
        self.tta_model = None
        if tta:
            self.tta_model = MODELS.build(
                dict(cfg.tta_model, module=self.model)).eval()
        # as mmseg's inference_model: the pipeline from an array
        pipeline = copy.deepcopy(
            cfg.tta_pipeline if tta else cfg.test_pipeline)
        pipeline[0]['type'] = 'LoadImageFromNDArray'
        self.pipeline = Compose(pipeline)

    def prepare(self, img: np.ndarray) -> dict:
        """Run the config's test (or TTA) pipeline on one photograph: the
        CPU work before the model, which data loader workers can do.

        Args:
            img (np.ndarray): uint8 HxWx3 image in BGR order (as
                :attr:`loader` returns it).

        Returns:
            dict: The pipeline's ``inputs`` and ``data_samples`` (lists of
            the flipped versions with ``tta``), for
            :meth:`predict_prepared`.
        """
        if img.ndim != 3 or img.shape[2] != 3 or img.dtype != np.uint8:
            raise ValueError('predict needs a uint8 HxWx3 BGR image, got '
                             f'{img.dtype} {img.shape}')
        return self.pipeline(dict(img=img))

    def predict_prepared(self, data: dict) -> Tuple[np.ndarray, np.ndarray]:
        """Segment one photograph prepared by :meth:`prepare`.

        Args:
            data (dict): What :meth:`prepare` returned.

        Returns:
            tuple[np.ndarray, np.ndarray]: As :meth:`predict`.
        """
        model = self.model if self.tta_model is None else self.tta_model
        with torch.no_grad():
            sample = model.test_step(pseudo_collate([data]))[0]
        probs = class_probabilities(sample.seg_logits.data)
        class_map = sample.pred_sem_seg.data[0].to(torch.uint8)
        return probs.float().cpu().numpy(), class_map.cpu().numpy()

    def predict(self, img: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Segment one photograph: :meth:`prepare`, then
        :meth:`predict_prepared` (as mmseg's ``inference_model`` does
        without ``tta``).

        Args:
            img (np.ndarray): uint8 HxWx3 image in BGR order (as
                :attr:`loader` returns it).

        Returns:
            tuple[np.ndarray, np.ndarray]: The class probabilities (float32
            CxHxW, C >= 2, by
            :func:`~setr_fundus.models.utils.class_probabilities`; channel 1
            is the vessel for a vessel model) and the model's predicted
            class map (uint8 HxW), both at the image's resolution.
        """
        return self.predict_prepared(self.prepare(img))
