import math
from typing import List, Optional, Sequence

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from torch import Tensor


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

    With ``spatial_channels`` the head also decodes the backbone's *spatial
    path* (:class:`~setr_fundus.models.backbones.VFMViT` with
    ``spatial_channels``): its maps at 1/1, 1/2, ..., 1/``patch_size`` of
    the image, selected from the backbone's outputs by ``spatial_index``. The
    map at the token stride is concatenated to the aggregated tokens before
    the first up-step, each other one to the up-sampled map of the same
    resolution before the next conv-norm-ReLU, and the full-resolution one
    to the last up-sampled map, followed by one more conv-norm-ReLU
    (``detail_fuse``) before the classifier, as UNETR fuses its image
    features. Without ``spatial_channels`` the head is the plain SETR-MLA
    head. With a spatial path and no tapped level (``in_channels=()``) the
    head decodes the spatial path alone, which measures what the encoder
    contributes.

    Args:
        in_channels (Sequence[int]): Channels of each tapped level; empty
            for a spatial path alone. Defaults to four ViT-B levels of 768.
        patch_size (int): Patch size of the encoder, a power of two; sets the
            number of x2 up-sampling steps. Defaults to 16 (4 steps).
        mla_channels (int): Common width of the aggregated levels.
            Defaults to 256.
        up_channels (Sequence[int], optional): Output channels of each
            up-sampling step, one per step. Defaults to ``mla_channels``
            halved at every step.
        spatial_channels (Sequence[int], optional): Widths of the spatial
            path's maps at 1/1, 1/2, ..., 1/``patch_size`` resolution
            (``log2(patch_size) + 1`` entries, as the backbone's
            ``spatial_channels``). Defaults to None (no spatial path).
        spatial_index (Sequence[int], optional): Backbone outputs holding
            those maps, full resolution first. Defaults to None: the outputs
            right after the tapped levels.
        **kwargs: Passed to :class:`BaseDecodeHead` (``num_classes``,
            ``norm_cfg``, ``loss_decode``, ...). ``channels`` is derived
            from ``up_channels`` and must not be given.
    """

    def __init__(self,
                 in_channels: Sequence[int] = (768, 768, 768, 768),
                 patch_size: int = 16,
                 mla_channels: int = 256,
                 up_channels: Optional[Sequence[int]] = None,
                 spatial_channels: Optional[Sequence[int]] = None,
                 spatial_index: Optional[Sequence[int]] = None,
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
        if spatial_channels is not None and len(spatial_channels) != \
                num_steps + 1:
            raise ValueError(
                f'VesselMLAHead: spatial_channels needs one entry per '
                f'resolution from 1/1 to 1/patch_size ({num_steps + 1} for '
                f'patch_size={patch_size}), got {list(spatial_channels)}')
        if not in_channels and spatial_channels is None:
            raise ValueError('VesselMLAHead: without in_channels (no tapped '
                             'level) it needs spatial_channels')
        if 'channels' in kwargs:
            raise ValueError('VesselMLAHead: do not set channels; it is the '
                             'last entry of up_channels')
        kwargs.setdefault('input_transform', 'multiple_select')
        kwargs.setdefault('in_index', list(range(len(in_channels))))
        if spatial_channels is not None and spatial_index is None:
            spatial_index = range(
                len(in_channels),
                len(in_channels) + len(spatial_channels))
        if spatial_index is not None and (
                spatial_channels is None
                or len(spatial_index) != len(spatial_channels)):
            raise ValueError(
                'VesselMLAHead: spatial_index needs one backbone output per '
                f'entry of spatial_channels, got {list(spatial_index)} for '
                f'{spatial_channels}')
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
        self.spatial_channels = tuple(spatial_channels or ())
        self.spatial_index = list(spatial_index or ())
        if spatial_channels is not None:
            # the step at 1/2**k takes the spatial map of that resolution
            steps_in = [
                c + spatial_channels[num_steps - i]
                for i, c in enumerate(steps_in)
            ]
            # named before the spatial path was; the state-dict keys
            # decode_head.detail_fuse.* of saved checkpoints keep it
            self.detail_fuse = ConvModule(
                up_channels[-1] + spatial_channels[0], up_channels[-1], 3,
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
            inputs (list[Tensor]): The backbone's outputs: the tapped levels
                at ``in_index`` and, with a spatial path, its maps at
                ``spatial_index``.

        Returns:
            Tensor: Logits of shape (B, out_channels, H, W).
        """
        if not self.spatial_channels:
            x = self.aggregate(self._transform_inputs(inputs))
            for conv in self.up_convs:
                x = resize(
                    conv(x),
                    scale_factor=2,
                    mode='bilinear',
                    align_corners=self.align_corners)
            return self.cls_seg(x)
        spatial = self._spatial_maps(inputs)[::-1]  # token stride first
        x = self.aggregate(self._transform_inputs(inputs)) \
            if self.in_channels else None
        for conv, level, finer in zip(self.up_convs, spatial, spatial[1:]):
            step_in = level if x is None else torch.cat(
                [self._fit(x, level), level], dim=1)
            x = self._fit(conv(step_in), finer)
        x = self.detail_fuse(torch.cat([x, spatial[-1]], dim=1))
        return self.cls_seg(x)

    def _spatial_maps(self, inputs: List[Tensor]) -> List[Tensor]:
        """The spatial path's maps, checked against ``spatial_channels``."""
        if max(self.spatial_index) >= len(inputs):
            raise ValueError(
                f'VesselMLAHead: spatial_index {self.spatial_index} needs '
                f'{max(self.spatial_index) + 1} backbone outputs, got '
                f'{len(inputs)}; give the backbone the same spatial_channels '
                f'{list(self.spatial_channels)} (its spatial path)')
        maps = [inputs[i] for i in self.spatial_index]
        got = [m.shape[1] for m in maps]
        if got != list(self.spatial_channels):
            raise ValueError(
                f'VesselMLAHead: the backbone outputs at spatial_index '
                f'{self.spatial_index} have {got} channels, spatial_channels '
                f'is {list(self.spatial_channels)}; set both to the same')
        return maps

    def _fit(self, x: Tensor, ref: Tensor) -> Tensor:
        """Bilinearly resize ``x`` to the spatial size of ``ref``."""
        if x.shape[2:] == ref.shape[2:]:
            return x
        return resize(
            x,
            size=ref.shape[2:],
            mode='bilinear',
            align_corners=self.align_corners)
