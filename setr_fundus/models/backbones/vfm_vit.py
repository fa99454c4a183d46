"""VFMViT: the frozen fundus foundation-model ViT encoder for SETR-MLA."""
import logging
from typing import Iterator, List, Optional, Sequence, Tuple, Union

import torch
from mmengine.logging import print_log
from mmpretrain.models.backbones import VisionTransformer
from mmpretrain.models.utils import resize_pos_embed
from mmseg.registry import MODELS
from torch import Tensor, nn

from ..utils import SpatialPath
from .checkpoint import LoadReport, load_vit_state_dict, match_state_dict

SPATIAL_PATH = 'spatial_path'


@MODELS.register_module()
class VFMViT(VisionTransformer):
    """ViT encoder loading fundus foundation-model checkpoints, tapped for MLA,
    with an optional spatial path on the image.

    mmpretrain's :class:`VisionTransformer` (timm-compatible layout) with:
    multi-level patch-token maps, an option to pass every tapped map through
    the final LayerNorm, frozen parts that stay in eval mode and run without
    autograd, and ``init_cfg=dict(type='Pretrained', checkpoint=PATH)``
    that reads VisionFM/iBOT, timm/DINO, RETFound/MAE, mmpretrain and mmseg
    checkpoints (see :mod:`.checkpoint`), resizes ``pos_embed`` to
    ``img_size`` and logs one load report.

    With ``spatial_channels`` the backbone also has a *spatial path*, as
    mmseg's BiSeNetV1 has beside its context path: a light convolutional
    pyramid on the image (:class:`~setr_fundus.models.utils.SpatialPath`,
    ``spatial_path``) at 1/1, 1/2, ... of its resolution, returned after the
    ViT's maps, so a head selects them by ``in_index`` like any other level.
    Freezing and the pretrained checkpoint apply to the ViT alone; the
    spatial path always trains from its initialisation.

    Args:
        arch (str | dict): mmpretrain ViT arch name or dict with
            ``embed_dims``, ``num_layers``, ``num_heads`` and
            ``feedforward_channels``. Defaults to 'b' (ViT-Base).
        img_size (int | tuple): Input size the position embedding is laid
            out for; other sizes are interpolated at run time.
            Defaults to 224.
        patch_size (int): Patch size. Defaults to 16.
        out_indices (Sequence[int] | int): Layers (0-based, negative counts
            from the end) whose outputs are returned, in ascending order
            (duplicates dropped). Defaults to ``(2, 5, 8, 11)``.
        out_type (str): mmpretrain output type; 'featmap' gives
            ``(B, C, H/patch, W/patch)`` patch-token maps without the cls
            token. Defaults to 'featmap'.
        final_norm (bool): Whether the model has the final LayerNorm
            (``ln1``), applied after the last layer. Defaults to True.
        norm_all_outputs (bool): Whether every tapped map goes through the
            final LayerNorm, as VisionFM (and DINO's
            ``get_intermediate_layers``) do. False: only the last layer's
            output is normalised, as in mmseg/mmpretrain. Needs
            ``final_norm``. Defaults to True.
        frozen_stages (int | str): -1 freezes nothing; 0 freezes the patch
            embedding, cls token and position embedding; N also freezes the
            first N layers; ``num_layers`` or ``'all'`` freezes everything,
            the final LayerNorm included. Frozen parts have
            ``requires_grad=False`` and stay in eval mode through
            ``train()``. Defaults to -1.
        drop_rate (float): Dropout rate. Defaults to 0.
        drop_path_rate (float): Stochastic depth rate. Defaults to 0.
        qkv_bias (bool): Bias in the qkv projection. Defaults to True.
        norm_cfg (dict): Norm layer config.
            Defaults to ``dict(type='LN', eps=1e-6)``.
        spatial_channels (Sequence[int], optional): Widths of the spatial
            path's maps, full resolution first (level ``i`` at ``1/2**i``).
            Defaults to None (no spatial path).
        spatial_norm_cfg (dict): Norm layer of the spatial path.
            Defaults to ``dict(type='BN')``.
        init_cfg (dict, optional): ``dict(type='Pretrained',
            checkpoint=PATH[, prefix=...])`` loads a checkpoint; None or any
            other config initialises randomly. Defaults to None.
        **kwargs: Other :class:`VisionTransformer` arguments.
    """

    def __init__(self,
                 arch: Union[str, dict] = 'b',
                 img_size: Union[int, Tuple[int, int]] = 224,
                 patch_size: int = 16,
                 out_indices: Union[Sequence[int], int] = (2, 5, 8, 11),
                 out_type: str = 'featmap',
                 final_norm: bool = True,
                 norm_all_outputs: bool = True,
                 frozen_stages: Union[int, str] = -1,
                 drop_rate: float = 0.,
                 drop_path_rate: float = 0.,
                 qkv_bias: bool = True,
                 norm_cfg: dict = dict(type='LN', eps=1e-6),
                 spatial_channels: Optional[Sequence[int]] = None,
                 spatial_norm_cfg: dict = dict(type='BN'),
                 init_cfg: Optional[dict] = None,
                 **kwargs) -> None:
        if norm_all_outputs and not final_norm:
            raise ValueError('norm_all_outputs=True needs final_norm=True '
                             '(it applies the final LayerNorm).')
        if isinstance(out_indices, int):
            out_indices = [out_indices]
        super().__init__(
            arch=arch,
            img_size=img_size,
            patch_size=patch_size,
            out_indices=[-1],
            out_type=out_type,
            final_norm=final_norm,
            frozen_stages=-1,
            drop_rate=drop_rate,
            drop_path_rate=drop_path_rate,
            qkv_bias=qkv_bias,
            norm_cfg=norm_cfg,
            init_cfg=init_cfg,
            **kwargs)
        n = self.num_layers
        if not out_indices or any(not -n <= i < n for i in out_indices):
            raise ValueError(f'out_indices {tuple(out_indices)} must be '
                             f'non-empty layer indices in [-{n}, {n - 1}].')
        self.out_indices = sorted({i % n for i in out_indices})
        if frozen_stages == 'all':
            frozen_stages = n
        if not (isinstance(frozen_stages, int) and -1 <= frozen_stages <= n):
            raise ValueError(f"frozen_stages must be an int in [-1, {n}] or "
                             f"'all', got {frozen_stages!r}.")
        self.frozen_stages = frozen_stages
        self.norm_all_outputs = norm_all_outputs
        self.spatial_channels = tuple(spatial_channels or ())
        if spatial_channels is not None:
            self.add_module(
                SPATIAL_PATH,
                SpatialPath(
                    kwargs.get('in_channels', 3),
                    spatial_channels,
                    norm_cfg=spatial_norm_cfg))
        if frozen_stages >= 0:
            self._freeze_stages()

    def _freeze_stages(self) -> None:
        """Freeze the first ``frozen_stages`` stages (no grad, eval mode).

        Extends mmpretrain's version to put every submodule, containers
        included, in eval mode when the whole encoder is frozen.
        """
        super()._freeze_stages()
        if self.frozen_stages == self.num_layers:
            for name, module in self.named_children():
                if name != SPATIAL_PATH:
                    module.eval()

    def train(self, mode: bool = True) -> 'VFMViT':
        """Set train/eval mode, keeping frozen parts in eval mode.

        Args:
            mode (bool): True for training mode. Defaults to True.

        Returns:
            VFMViT: self.
        """
        super().train(mode)
        if mode and self.frozen_stages >= 0:
            self._freeze_stages()
        return self

    def _tapped_parameters(self) -> Iterator[nn.Parameter]:
        """Parameters the returned maps depend on."""
        last = self.out_indices[-1]
        modules = [self.patch_embed, self.pre_norm, *self.layers[:last + 1]]
        if self.final_norm and (self.norm_all_outputs
                                or last == self.num_layers - 1):
            modules.append(self.ln1)
        yield from (self.cls_token, self.pos_embed)
        for module in modules:
            yield from module.parameters()

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Return the tapped layers' outputs, then the spatial path's maps.

        The ViT runs without autograd when no parameter its outputs depend on
        (nor the input) requires grad, e.g. with ``frozen_stages='all'``.

        Args:
            x (Tensor): Images, ``(B, C, H, W)``.

        Returns:
            tuple[Tensor]: One output per ``out_indices`` entry, in
            ascending layer order (for 'featmap' ``(B, C, H/p, W/p)``),
            followed by the spatial path's maps, full resolution first.
        """
        needs_grad = x.requires_grad or any(p is not None and p.requires_grad
                                            for p in self._tapped_parameters())
        with torch.set_grad_enabled(torch.is_grad_enabled() and needs_grad):
            taps = self._forward_taps(x)
        if not self.spatial_channels:
            return taps
        return (*taps, *getattr(self, SPATIAL_PATH)(x))

    def _forward_taps(self, x: Tensor) -> Tuple[Tensor, ...]:
        batch = x.shape[0]
        x, grid = self.patch_embed(x)
        if self.cls_token is not None:
            x = torch.cat((self.cls_token.expand(batch, -1, -1), x), dim=1)
        x = x + resize_pos_embed(
            self.pos_embed,
            self.patch_resolution,
            grid,
            mode=self.interpolate_mode,
            num_extra_tokens=self.num_extra_tokens)
        x = self.pre_norm(self.drop_after_pos(x))
        outs = []
        for i, layer in enumerate(self.layers[:self.out_indices[-1] + 1]):
            x = layer(x)
            is_last = i == self.num_layers - 1
            if is_last and self.final_norm:
                x = self.ln1(x)
            if i in self.out_indices:
                tap = self.ln1(x) if self.norm_all_outputs and not is_last \
                    else x
                outs.append(self._format_output(tap, grid))
        return tuple(outs)

    def init_weights(self) -> None:
        """Initialise randomly, then load ``init_cfg``'s checkpoint if any.

        With ``init_cfg=dict(type='Pretrained', checkpoint=PATH)`` the file
        is read by :meth:`load_pretrained`; otherwise mmpretrain's
        initialisation applies.
        """
        cfg = self.init_cfg
        if self.is_init or not (isinstance(cfg, dict)
                                and cfg.get('type') == 'Pretrained'):
            super().init_weights()
            return
        self.init_cfg = None
        super().init_weights()
        self.init_cfg = cfg
        self.load_pretrained(cfg.get('checkpoint'), cfg.get('prefix'))

    def load_pretrained(self,
                        checkpoint: str,
                        prefix: Optional[str] = None) -> LoadReport:
        """Load a ViT checkpoint of any supported format and log a report.

        Args:
            checkpoint (str): Local checkpoint path.
            prefix (str, optional): Only load keys with this prefix, which is
                stripped. Defaults to None (strip ``module.``/``backbone.``).

        Returns:
            LoadReport: Loaded, missing and ignored keys.

        Raises:
            FileNotFoundError: the file does not exist.
            ValueError: it is not a checkpoint, holds no ViT tensors, or a
                tensor shape differs from this model's.
        """
        if not isinstance(checkpoint, str) or not checkpoint:
            raise ValueError(
                'VFMViT init_cfg Pretrained needs checkpoint=PATH, got '
                f'{checkpoint!r}; set model.backbone.init_cfg=None to train '
                'without pretrained weights.')
        try:
            state_dict, layout = load_vit_state_dict(checkpoint, prefix)
        except FileNotFoundError as err:
            raise FileNotFoundError(
                f'Pretrained checkpoint for VFMViT not found: {checkpoint}. '
                'Put the file there, point model.backbone.init_cfg.checkpoint '
                'at it, or set model.backbone.init_cfg=None (e.g. '
                '--cfg-options model.backbone.init_cfg=None) to train '
                'without pretrained weights.') from err
        expected = {
            k: v.shape
            for k, v in self.state_dict().items()
            if not k.startswith(SPATIAL_PATH + '.')
        }
        state_dict, report = match_state_dict(state_dict, expected, checkpoint,
                                              self.patch_resolution,
                                              self.num_extra_tokens,
                                              self.interpolate_mode)
        report.layout = layout
        report.trained = self._spatial_path_keys()
        self.load_state_dict(state_dict, strict=False)
        print_log(
            str(report),
            logger='current',
            level=logging.WARNING if report.missing else logging.INFO)
        return report

    def _spatial_path_keys(self) -> List[str]:
        """State-dict keys of the spatial path (never in a checkpoint)."""
        return [
            k for k in self.state_dict() if k.startswith(SPATIAL_PATH + '.')
        ]
