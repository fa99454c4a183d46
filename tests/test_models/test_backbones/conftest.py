"""An independent timm-layout reference ViT and checkpoint writers.

The reference is written from scratch with timm's parameter names
(``patch_embed.proj``, ``cls_token``, ``pos_embed``, ``blocks.N.norm1/
attn.qkv/attn.proj/norm2/mlp.fc1/mlp.fc2``, ``norm``); its random weights
are saved in every checkpoint format VFMViT reads.
"""
import argparse
from pathlib import Path
from typing import Callable, Dict, List, Sequence

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import Tensor, nn

# Per-block names timm -> mmpretrain / mmseg, written out by hand; the
# parameter name ('weight' / 'bias') is appended to the value.
BLOCK_MMPRETRAIN = {
    'norm1': 'ln1.', 'attn.qkv': 'attn.qkv.', 'attn.proj': 'attn.proj.',
    'norm2': 'ln2.', 'mlp.fc1': 'ffn.layers.0.0.', 'mlp.fc2': 'ffn.layers.1.'
}  # yapf: disable
BLOCK_MMSEG = dict(
    BLOCK_MMPRETRAIN, **{
        'attn.qkv': 'attn.attn.in_proj_',
        'attn.proj': 'attn.attn.out_proj.'
    })


class RefAttention(nn.Module):
    """timm ``Attention``: fused qkv, softmax(q k^T / sqrt(d)) v, proj."""

    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: Tensor) -> Tensor:
        b, n, c = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads,
                                      c // self.heads).permute(2, 0, 3, 1, 4)
        attn = (q @ k.transpose(-2, -1)) * (c // self.heads)**-0.5
        out = (attn.softmax(dim=-1) @ v).transpose(1, 2).reshape(b, n, c)
        return self.proj(out)


class RefMlp(nn.Module):
    """timm ``Mlp``: fc1, exact GELU, fc2."""

    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc2(F.gelu(self.fc1(x)))


class RefBlock(nn.Module):
    """timm pre-norm ``Block`` without layer scale or drop path."""

    def __init__(self, dim: int, heads: int, hidden: int) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = RefAttention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = RefMlp(dim, hidden)

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class RefPatchEmbed(nn.Module):
    """timm ``PatchEmbed``: one strided conv ``proj``."""

    def __init__(self, dim: int, patch: int) -> None:
        super().__init__()
        self.proj = nn.Conv2d(3, dim, patch, patch)


class RefViT(nn.Module):
    """timm-layout ViT with random weights, LayerNorm affines included.

    ``arch`` holds the matching VFMViT ``arch`` dict.
    """

    def __init__(self,
                 embed_dims: int = 64,
                 num_layers: int = 4,
                 num_heads: int = 4,
                 feedforward_channels: int = 128,
                 patch: int = 16,
                 img: int = 224) -> None:
        super().__init__()
        self.arch = dict(
            embed_dims=embed_dims,
            num_layers=num_layers,
            num_heads=num_heads,
            feedforward_channels=feedforward_channels)
        dim = embed_dims
        self.patch_embed = RefPatchEmbed(dim, patch)
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim) * 0.1)
        self.pos_embed = nn.Parameter(
            torch.randn(1, (img // patch)**2 + 1, dim) * 0.1)
        self.blocks = nn.ModuleList(
            RefBlock(dim, num_heads, feedforward_channels)
            for _ in range(num_layers))
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        for module in self.modules():
            if isinstance(module, nn.LayerNorm):
                nn.init.normal_(module.weight, 1.0, 0.1)
                nn.init.normal_(module.bias, 0.0, 0.1)

    @torch.no_grad()
    def tapped(self, x: Tensor, indices: Sequence[int],
               norm_all: bool) -> List[Tensor]:
        """Patch-token maps after blocks ``indices``; final norm on the
        last block always, on the others when ``norm_all``."""
        x = self.patch_embed.proj(x)
        b, c, h, w = x.shape
        x = x.flatten(2).transpose(1, 2)
        pos = self.pos_embed[:, 1:]
        side = int(pos.shape[1]**0.5)
        if (side, side) != (h, w):
            pos = pos.reshape(1, side, side, c).permute(0, 3, 1, 2)
            pos = F.interpolate(pos, size=(h, w), mode='bicubic')
            pos = pos.flatten(2).transpose(1, 2)
        x = torch.cat((self.cls_token.expand(b, -1, -1), x), dim=1)
        x = x + torch.cat((self.pos_embed[:, :1], pos), dim=1)
        outs = []
        for i, block in enumerate(self.blocks[:max(indices) + 1]):
            x = block(x)
            if i in indices:
                last = i == len(self.blocks) - 1
                y = self.norm(x) if norm_all or last else x
                outs.append(y[:, 1:].transpose(1, 2).reshape(b, c, h, w))
        return outs


def _rename(state: Dict[str, Tensor], block_map: Dict[str, str],
            prefix: str) -> Dict[str, Tensor]:
    """timm names -> mmpretrain / mmseg names, from the tables above."""
    top = {'patch_embed.proj.': 'patch_embed.projection.', 'norm.': 'ln1.'}
    out = {}
    for key, value in state.items():
        for old, new in top.items():
            if key.startswith(old):
                key = new + key[len(old):]
        if key.startswith('blocks.'):
            _, idx, rest = key.split('.', 2)
            name, param = rest.rsplit('.', 1)
            key = f'layers.{idx}.{block_map[name]}{param}'
        out[prefix + key] = value
    return out


# yapf: disable
def save_checkpoint(ref: RefViT, fmt: str, path: Path) -> List[str]:
    """Save ``ref``'s weights in format ``fmt`` at ``path``.

    Formats: 'visionfm' (iBOT teacher/student training checkpoint), 'timm'
    (bare), 'mae' (RETFound ``{'model': ...}``), 'ddp' (``state_dict`` with
    ``module.``), 'mmpretrain' and 'mmseg' (model checkpoints in their
    names, ``backbone.`` prefixed).

    Returns:
        list[str]: The non-backbone keys VFMViT should ignore.
    """
    state = {k: v.detach().clone() for k, v in ref.state_dict().items()}
    dim = ref.arch['embed_dims']
    if fmt == 'visionfm':
        extras = {'head.mlp.0.weight': torch.randn(8, dim),
                  'head.last_layer.weight_g': torch.ones(8, 1),
                  'masked_embed': torch.zeros(1, dim)}
        ckpt = dict(
            teacher={**{'backbone.' + k: v for k, v in state.items()},
                     **extras},
            student={'module.backbone.' + k: v + 1 for k, v in state.items()},
            optimizer={'state': {}, 'param_groups': [{'lr': 0.1}]},
            epoch=100, best_acc=np.float64(0.5),
            args=argparse.Namespace(arch='vit_base', patch_size=16))
    elif fmt == 'timm':
        extras, ckpt = {}, state
    elif fmt == 'mae':
        extras = {'head.weight': torch.randn(5, dim),
                  'head.bias': torch.randn(5),
                  'fc_norm.weight': torch.ones(dim),
                  'decoder_embed.weight': torch.randn(8, dim),
                  'decoder_blocks.0.norm1.weight': torch.ones(8),
                  'mask_token': torch.zeros(1, 1, 8)}
        ckpt = {'model': {**state, **extras}, 'epoch': 3}
    elif fmt == 'ddp':
        extras = {}
        ckpt = {'state_dict': {'module.' + k: v for k, v in state.items()}}
    elif fmt == 'mmpretrain':
        extras = {'head.fc.weight': torch.randn(5, dim)}
        ckpt = {'meta': {'epoch': 1},
                'state_dict': {**_rename(state, BLOCK_MMPRETRAIN,
                                         'backbone.'), **extras}}
    elif fmt == 'mmseg':
        extras = {'decode_head.conv_seg.weight': torch.randn(2, 8, 1, 1)}
        ckpt = {'meta': {'iter': 1},
                'state_dict': {**_rename(state, BLOCK_MMSEG, 'backbone.'),
                               **extras}}
    else:
        raise ValueError(f'unknown format {fmt!r}')
    torch.save(ckpt, path)
    return sorted(extras)
# yapf: enable


@pytest.fixture(scope='session')
def small_ref() -> RefViT:
    """Reference ViT, 64 wide, 4 layers, 4 heads, patch 16, 224 input."""
    torch.manual_seed(0)
    return RefViT().eval()


@pytest.fixture(scope='session')
def make_ref() -> Callable[..., RefViT]:
    """The :class:`RefViT` constructor."""
    return RefViT


@pytest.fixture(scope='session')
def write_checkpoint() -> Callable[[RefViT, str, Path], List[str]]:
    """:func:`save_checkpoint`."""
    return save_checkpoint
