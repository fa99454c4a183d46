from typing import List, Optional, Sequence

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from torch import Tensor


class SpatialPath(nn.Module):
    """A light convolutional pyramid on the input image.

    Level 0 keeps the full resolution; each further level halves it with a
    stride-2 convolution. Every level is two 3x3 conv-norm-act blocks (the
    first strided from level 1 on), as the ``encoder1`` .. ``encoder4``
    blocks of UNETR's decoder on the raw image. It is the spatial path (as
    mmseg's BiSeNetV1 calls it) of
    :class:`~setr_fundus.models.backbones.VFMViT`, whose maps feed the x2
    up-steps of :class:`~setr_fundus.models.decode_heads.VesselMLAHead`, so
    that vessels one or two pixels wide are decoded from image features at
    their own resolution rather than recovered from the encoder's tokens.

    Args:
        in_channels (int): Channels of the input image. Defaults to 3.
        channels (Sequence[int]): Width of each level, full resolution
            first; level ``i`` is at ``1 / 2**i`` of the input size.
            Defaults to (16, 16, 32, 32, 64).
        conv_cfg (dict, optional): Convolution config. Defaults to None.
        norm_cfg (dict, optional): Normalisation config.
            Defaults to ``dict(type='BN')``.
        act_cfg (dict): Activation config. Defaults to
            ``dict(type='ReLU')``.
    """

    def __init__(self,
                 in_channels: int = 3,
                 channels: Sequence[int] = (16, 16, 32, 32, 64),
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: Optional[dict] = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU')) -> None:
        super().__init__()
        if not channels or any(c < 1 for c in channels):
            raise ValueError('SpatialPath: channels must be a non-empty '
                             f'sequence of positive widths, got {channels}')
        self.in_channels = in_channels
        conv_kwargs = dict(
            conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=act_cfg)
        self.levels = nn.ModuleList()
        c_in = in_channels
        for i, c_out in enumerate(channels):
            self.levels.append(
                nn.Sequential(
                    ConvModule(
                        c_in, c_out, 3, stride=1 if i == 0 else 2, padding=1,
                        **conv_kwargs),
                    ConvModule(c_out, c_out, 3, padding=1, **conv_kwargs)))
            c_in = c_out

    def forward(self, image: Tensor) -> List[Tensor]:
        """Compute the pyramid.

        Args:
            image (Tensor): Normalised images of shape (B, in_channels, H, W).

        Returns:
            list[Tensor]: One map per level, full resolution first; level
            ``i`` has spatial size ``ceil(H / 2**i) x ceil(W / 2**i)``.
        """
        if image.dim() != 4 or image.shape[1] != self.in_channels:
            raise ValueError(
                f'SpatialPath expects images of shape (B, {self.in_channels}, '
                f'H, W), got {tuple(image.shape)}')
        maps = []
        # channels-last convolutions: these few-channel, full-resolution
        # maps are memory-bound, and oneDNN runs them faster so (a frozen
        # ViT-B/16 training step 7 % faster on a 2-core CPU, docs/benchmark.md)
        x = image.contiguous(memory_format=torch.channels_last)
        for level in self.levels:
            x = level(x)
            maps.append(x)
        return maps
