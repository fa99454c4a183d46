"""The models the benchmark compares, built from one config.

- ``this_config``: the config's model as is (only ``init_cfg`` dropped).
- ``encoder_unfrozen``: the same with ``backbone.frozen_stages=-1``.
- ``stock_mmseg``: the nearest model made only of MMSegmentation's own
  modules, as an mmseg user would write it: ``EncoderDecoder`` with
  ``VisionTransformer`` (same width, depth, heads, MLP width, patch and
  tapped layers), ``MLANeck`` (``mla_channels`` wide) and ``SETRMLAHead``
  (mmseg's SETR-MLA defaults: 128 channels per level, x4 up-sampling, then
  resized to the input). When this config's encoder is frozen, so is the
  stock one, with mmseg's own switch ``frozen_exclude=[]``, which sets
  ``requires_grad=False`` on every backbone parameter (the backbone stays in
  train mode, as mmseg leaves it).
"""
import copy
from typing import List

import torch
from mmengine.config import ConfigDict
from mmengine.optim import OptimWrapper
from mmengine.structures import PixelData
from mmpretrain.models.backbones import VisionTransformer as PretrainViT
from mmseg.registry import MODELS, OPTIM_WRAPPERS, OPTIMIZERS
from mmseg.structures import SegDataSample
from torch import nn

VARIANTS = ('this_config', 'encoder_unfrozen', 'stock_mmseg')


def _arch(backbone: dict) -> dict:
    """Width, depth, heads and MLP width of a VFMViT config."""
    arch = backbone.get('arch', 'b')
    if isinstance(arch, str):
        if arch.lower() not in PretrainViT.arch_zoo:
            raise ValueError(f'model.backbone.arch {arch!r} is not one of '
                             f'{sorted(PretrainViT.arch_zoo)}')
        arch = PretrainViT.arch_zoo[arch.lower()]
    return dict(arch)


def encoder_is_frozen(model: nn.Module) -> bool:
    """Whether no encoder parameter is trainable.

    Args:
        model (nn.Module): A segmentor with a ``backbone``.

    Returns:
        bool: True when every backbone parameter has requires_grad False.
    """
    return not any(p.requires_grad for p in model.backbone.parameters())


def variant_model_cfg(model_cfg: dict,
                      variant: str,
                      frozen: bool = True) -> ConfigDict:
    """The model config of one benchmark variant.

    Args:
        model_cfg (dict): The config's ``model`` (a VFMViT backbone and a
            VesselMLAHead-like head with ``in_channels``, ``mla_channels``,
            ``num_classes``, ``norm_cfg`` and ``loss_decode``).
        variant (str): One of :data:`VARIANTS`.
        frozen (bool): For ``stock_mmseg``, whether to freeze the backbone.
            Defaults to True.

    Returns:
        ConfigDict: A model config with ``init_cfg`` removed (no weights
        file is read).
    """
    if variant not in VARIANTS:
        raise ValueError(f'variant must be one of {VARIANTS}, '
                         f'got {variant!r}')
    cfg = ConfigDict(copy.deepcopy(dict(model_cfg)))
    cfg.backbone.init_cfg = None
    cfg.pop('pretrained', None)
    if variant == 'encoder_unfrozen':
        cfg.backbone.frozen_stages = -1
    if variant != 'stock_mmseg':
        return cfg
    backbone, head = cfg.backbone, cfg.decode_head
    arch = _arch(backbone)
    embed, ffn = arch['embed_dims'], arch['feedforward_channels']
    if ffn % embed:
        raise ValueError('stock mmseg ViT needs feedforward_channels to be a '
                         f'multiple of embed_dims, got {ffn} and {embed}')
    levels = len(head.in_channels)
    mla = head.get('mla_channels', 256)
    return ConfigDict(
        type='EncoderDecoder',
        data_preprocessor=cfg.data_preprocessor,
        backbone=dict(
            type='VisionTransformer',
            img_size=backbone.get('img_size', 224),
            patch_size=backbone.get('patch_size', 16),
            embed_dims=embed,
            num_layers=arch['num_layers'],
            num_heads=arch['num_heads'],
            mlp_ratio=ffn // embed,
            out_indices=tuple(backbone.get('out_indices', (2, 5, 8, 11))),
            drop_path_rate=backbone.get('drop_path_rate', 0.),
            norm_cfg=dict(type='LN', eps=1e-6),
            with_cls_token=False,
            interpolate_mode='bilinear',
            frozen_exclude=[] if frozen else ['all'],
            init_cfg=None),
        neck=dict(
            type='MLANeck',
            in_channels=[embed] * levels,
            out_channels=mla,
            norm_cfg=head.norm_cfg,
            act_cfg=dict(type='ReLU')),
        decode_head=dict(
            type='SETRMLAHead',
            in_channels=(mla, ) * levels,
            channels=levels * max(mla // 2, 1),
            in_index=tuple(range(levels)),
            mla_channels=max(mla // 2, 1),
            up_scale=4,
            dropout_ratio=0,
            num_classes=head.num_classes,
            out_channels=head.get('out_channels', None),
            threshold=head.get('threshold', None),
            norm_cfg=head.norm_cfg,
            align_corners=head.get('align_corners', False),
            loss_decode=head.loss_decode),
        train_cfg=cfg.get('train_cfg', dict()),
        test_cfg=cfg.get('test_cfg', dict(mode='whole')))


def build_variant(model_cfg: dict,
                  variant: str,
                  device: torch.device,
                  frozen: bool = True) -> nn.Module:
    """Build a benchmark variant on ``device`` (random weights).

    Args:
        model_cfg (dict): The config's ``model``.
        variant (str): One of :data:`VARIANTS`.
        device (torch.device): Target device.
        frozen (bool): See :func:`variant_model_cfg`. Defaults to True.

    Returns:
        nn.Module: The segmentor.
    """
    return MODELS.build(variant_model_cfg(model_cfg, variant,
                                          frozen)).to(device)


def trainable_optim_wrapper(model: nn.Module,
                            optim_wrapper_cfg: dict) -> OptimWrapper:
    """An optimizer wrapper over the model's trainable parameters only.

    Args:
        model (nn.Module): The model.
        optim_wrapper_cfg (dict): The config's ``optim_wrapper``
            (``type``, ``optimizer``, ``clip_grad``, ...); ``paramwise_cfg``
            and ``constructor`` are ignored.

    Returns:
        OptimWrapper: The wrapper; frozen parameters get no optimizer
        state.
    """
    cfg = copy.deepcopy(dict(optim_wrapper_cfg))
    cfg.pop('paramwise_cfg', None)
    cfg.pop('constructor', None)
    cfg.setdefault('type', 'OptimWrapper')
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError('the model has no trainable parameters')
    optimizer = OPTIMIZERS.build(dict(cfg.pop('optimizer'), params=params))
    return OPTIM_WRAPPERS.build(dict(cfg, optimizer=optimizer))


def synthetic_batch(batch_size: int, crop_size: tuple, seed: int = 0) -> dict:
    """A training batch as the dataloader delivers it (uint8 images and
    binary labels, about 12 % vessel).

    Args:
        batch_size (int): Images in the batch.
        crop_size (tuple): (H, W).
        seed (int): Random seed. Defaults to 0.

    Returns:
        dict: ``inputs`` (list of uint8 (3, H, W) tensors) and
        ``data_samples`` (list of :obj:`SegDataSample` with ``gt_sem_seg``).
    """
    h, w = crop_size
    gen = torch.Generator().manual_seed(seed)
    inputs: List[torch.Tensor] = []
    samples: List[SegDataSample] = []
    for _ in range(batch_size):
        inputs.append(
            torch.randint(0, 256, (3, h, w), dtype=torch.uint8, generator=gen))
        sample = SegDataSample(
            metainfo=dict(
                img_shape=(h, w), ori_shape=(h, w), pad_shape=(h, w)))
        label = (torch.rand(1, h, w, generator=gen) < 0.12).long()
        sample.gt_sem_seg = PixelData(data=label)
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)
