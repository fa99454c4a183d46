import math
from typing import List, Optional, Sequence

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from torch import Tensor

from ..utils import DetailStem


@MODELS.register_module()
class VesselMLAHead(BaseDecodeHead):
    """SETR-MLA decode head for thin-structure (vessel) segmentation.

    Features from several transformer layers are projected to a common width
    by 1x1 convolutions, aggregated top-down (deepest level first, as in
    SETR's multi-level aggregation), refined per level by a 3x3 convolution
    and fused by a 1x1 convolution. An up-sampling decoder then doubles the
    resolution ``log2(patch_size)`` times; each step is conv + norm + ReLU
    followed by a x2 bilinear up-sample, with channels shrinking as the
    resolution grows so the full-resolution part stays cheap. The classifier
    (``conv_seg``) is a 1x1 convolution at input resolution.

    With ``detail_channels`` the head also has a *detail path*: a light
    convolutional stem (:class:`~setr_fundus.models.utils.DetailStem`) on the
    normalised input image gives maps at 1/1, 1/2, ..., 1/``patch_size`` of
    its resolution. The map at the token stride is concatenated to the
    aggregated tokens before the first up-step, each other one to the
    up-sampled map of the same resolution before the next conv-norm-ReLU,
    and the full-resolution one to the last up-sampled map, followed by one
    more conv-norm-ReLU (``detail_fuse``) before the classifier, as UNETR
    fuses its image features. The image is the last entry of the head's
    inputs; :class:`~setr_fundus.models.segmentors.FundusEncoderDecoder`
    appends it (each window's crop in sliding-window inference) because
    :attr:`with_image_input` is True. Without ``detail_channels`` the head
    is the plain SETR-MLA head and takes the backbone's features only. With
    a detail path and no tapped level (``in_channels=()``) the head decodes
    the image alone, which measures what the encoder contributes.

    Args:
        in_channels (Sequence[int]): Channels of each tapped level; empty
            for a detail path alone. Defaults to four ViT-B levels of 768.
        patch_size (int): Patch size of the encoder, a power of two; sets the
            number of x2 up-sampling steps. Defaults to 16 (4 steps).
        mla_channels (int): Common width of the aggregated levels.
            Defaults to 256.
        up_channels (Sequence[int], optional): Output channels of each
            up-sampling step, one per step. Defaults to ``mla_channels``
            halved at every step.
        detail_channels (Sequence[int], optional): Widths of the detail
            stem's maps at 1/1, 1/2, ..., 1/``patch_size`` resolution
            (``log2(patch_size) + 1`` entries). Defaults to None (no detail
            path).
        **kwargs: Passed to :class:`BaseDecodeHead` (``num_classes``,
            ``norm_cfg``, ``loss_decode``, ...). ``channels`` is derived
            from ``up_channels`` and must not be given.
    """

    def __init__(self,
                 in_channels: Sequence[int] = (768, 768, 768, 768),
                 patch_size: int = 16,
                 mla_channels: int = 256,
                 up_channels: Optional[Sequence[int]] = None,
                 detail_channels: Optional[Sequence[int]] = None,
                 **kwargs) -> None:
        if patch_size < 2 or patch_size & (patch_size - 1):
            raise ValueError(
                f'VesselMLAHead: patch_size must be a power of two >= 2, '
                f'got {patch_size}')
        num_steps = int(math.log2(patch_size))
        if up_channels is None:
            up_channels = [max(mla_channels >> (i + 1), 8)
                           for i in range(num_steps)]
        if len(up_channels) != num_steps:
            raise ValueError(
                f'VesselMLAHead: up_channels needs one entry per x2 step '
                f'(log2(patch_size={patch_size}) = {num_steps}), '
                f'got {list(up_channels)}')
        if detail_channels is not None and len(detail_channels) != \
                num_steps + 1:
            raise ValueError(
                f'VesselMLAHead: detail_channels needs one entry per '
                f'resolution from 1/1 to 1/patch_size ({num_steps + 1} for '
                f'patch_size={patch_size}), got {list(detail_channels)}')
        if not in_channels and detail_channels is None:
            raise ValueError('VesselMLAHead: without in_channels (no tapped '
                             'level) it needs detail_channels')
        if 'channels' in kwargs:
            raise ValueError('VesselMLAHead: do not set channels; it is the '
                             'last entry of up_channels')
        kwargs.setdefault('input_transform', 'multiple_select')
        kwargs.setdefault('in_index', list(range(len(in_channels))))
        super().__init__(
            in_channels=list(in_channels), channels=up_channels[-1], **kwargs)
        conv_kwargs = dict(
            conv_cfg=self.conv_cfg, norm_cfg=self.norm_cfg,
            act_cfg=self.act_cfg)
        self.lateral_convs = nn.ModuleList(
            ConvModule(c, mla_channels, 1, **conv_kwargs)
            for c in self.in_channels)
        self.level_convs = nn.ModuleList(
            ConvModule(mla_channels, mla_channels, 3, padding=1, **conv_kwargs)
            for _ in self.in_channels)
        if self.in_channels:
            self.fuse_conv = ConvModule(
                mla_channels * len(self.in_channels), mla_channels, 1,
                **conv_kwargs)
        steps_in = [mla_channels if self.in_channels else 0, *up_channels[:-1]]
        self.with_image_input = detail_channels is not None
        if self.with_image_input:
            self.detail_stem = DetailStem(3, detail_channels, **conv_kwargs)
            # the step at 1/2**k takes the detail map of that resolution
            steps_in = [
                c + detail_channels[num_steps - i]
                for i, c in enumerate(steps_in)
            ]
            self.detail_fuse = ConvModule(
                up_channels[-1] + detail_channels[0], up_channels[-1], 3,
                padding=1, **conv_kwargs)
        self.up_convs = nn.ModuleList(
            ConvModule(c_in, c_out, 3, padding=1, **conv_kwargs)
            for c_in, c_out in zip(steps_in, up_channels))

    def aggregate(self, inputs: List[Tensor]) -> Tensor:
        """Project, aggregate top-down and fuse the tapped levels.

        Args:
            inputs (list[Tensor]): One (B, C_i, h, w) map per level,
                shallowest first.

        Returns:
            Tensor: Fused map of shape (B, mla_channels, h, w).
        """
        levels = [conv(x) for conv, x in zip(self.lateral_convs, inputs)]
        for i in range(len(levels) - 2, -1, -1):
            levels[i] = levels[i] + levels[i + 1]
        levels = [conv(x) for conv, x in zip(self.level_convs, levels)]
        return self.fuse_conv(torch.cat(levels, dim=1))

    def forward(self, inputs: List[Tensor]) -> Tensor:
        """Compute segmentation logits at ``patch_size`` x the token grid.

        Args:
            inputs (list[Tensor]): Multi-level backbone features; with the
                detail path followed by the normalised input image
                (B, 3, H, W).

        Returns:
            Tensor: Logits of shape (B, out_channels, H, W).
        """
        if not self.with_image_input:
            x = self.aggregate(self._transform_inputs(inputs))
            for conv in self.up_convs:
                x = resize(
                    conv(x),
                    scale_factor=2,
                    mode='bilinear',
                    align_corners=self.align_corners)
            return self.cls_seg(x)
        *features, image = inputs
        if image.dim() != 4 or image.shape[1] != 3:
            raise ValueError(
                'VesselMLAHead with detail_channels needs the input image '
                '(B, 3, H, W) as the last of its inputs, as '
                'FundusEncoderDecoder passes it; got a tensor of shape '
                f'{tuple(image.shape)}')
        details = self.detail_stem(image)[::-1]  # token stride first
        x = self.aggregate(self._transform_inputs(features)) \
            if self.in_channels else None
        for conv, detail, finer in zip(self.up_convs, details, details[1:]):
            step_in = detail if x is None else torch.cat(
                [self._fit(x, detail), detail], dim=1)
            x = self._fit(conv(step_in), finer)
        x = self.detail_fuse(torch.cat([x, details[-1]], dim=1))
        return self.cls_seg(x)

    def _fit(self, x: Tensor, ref: Tensor) -> Tensor:
        """Bilinearly resize ``x`` to the spatial size of ``ref``."""
        if x.shape[2:] == ref.shape[2:]:
            return x
        return resize(
            x,
            size=ref.shape[2:],
            mode='bilinear',
            align_corners=self.align_corners)
