"""Reading ViT checkpoints of many origins into :class:`VFMViT` key names.

Pure functions, used by ``VFMViT.init_weights`` and by
``tools/model_converters/vfm2mmseg.py``. Accepted formats:

- VisionFM / iBOT training checkpoints: ``{'teacher': {'backbone.*',
  'head.*'}, 'student': {'module.backbone.*', ...}, 'optimizer', 'epoch',
  'args'}``; the teacher is used, as VisionFM's own code does.
- RETFound / MAE ``{'model': ...}``, timm/DeiT ``{'state_dict': ...}`` with
  or without DDP ``module.`` prefixes, and bare timm/DINO state dicts.
- Checkpoints already in mmpretrain or mmseg ViT names, including whole
  mmseg/mmpretrain model checkpoints (``{'state_dict': {'backbone.*'}}``).

Keys are renamed to mmpretrain's ``VisionTransformer`` layout (the mapping
of mmseg's ``tools/model_converters/vit2mmseg.py``, plus mmseg's fused
``attn.attn.in_proj_*`` names).
"""
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

import torch
from mmpretrain.models.utils import resize_pos_embed

from setr_fundus.utils import load_trusted_checkpoint

StateDict = Dict[str, torch.Tensor]

# Entries of a training checkpoint that hold the weights, in priority order.
NESTED_KEYS = ('teacher', 'state_dict', 'model', 'student')
# Wrapper prefixes removed from every key: DDP, then the model's backbone.
STRIP_PREFIXES = ('module.', 'backbone.')
# (pattern, replacement): timm/DINO/iBOT/MAE and mmseg names -> ours.
KEY_RENAMES = (
    (r'^patch_embed\.proj\.', 'patch_embed.projection.'),
    (r'^norm\.', 'ln1.'),
    (r'^blocks\.(\d+)\.norm1\.', r'layers.\1.ln1.'),
    (r'^blocks\.(\d+)\.norm2\.', r'layers.\1.ln2.'),
    (r'^blocks\.(\d+)\.attn\.(qkv|proj)\.', r'layers.\1.attn.\2.'),
    (r'^blocks\.(\d+)\.mlp\.fc1\.', r'layers.\1.ffn.layers.0.0.'),
    (r'^blocks\.(\d+)\.mlp\.fc2\.', r'layers.\1.ffn.layers.1.'),
    (r'^layers\.(\d+)\.attn\.attn\.in_proj_(weight|bias)$',
     r'layers.\1.attn.qkv.\2'),
    (r'^layers\.(\d+)\.attn\.attn\.out_proj\.', r'layers.\1.attn.proj.'),
)


@dataclass
class LoadReport:
    """What loading a checkpoint into a VFMViT did.

    Args:
        source (str): The checkpoint path.
        layout (str): The detected checkpoint format and key naming.
        loaded (list[str]): Our keys filled from the checkpoint.
        missing (list[str]): Our keys absent from it (left as initialised).
        unexpected (list[str]): Its keys (after renaming) that we ignored.
        resized (str, optional): How ``pos_embed`` was resized, if it was.
        trained (list[str]): Our keys that no checkpoint holds because they
            always train from their initialisation (the spatial path).
    """

    source: str
    layout: str
    loaded: List[str] = field(default_factory=list)
    missing: List[str] = field(default_factory=list)
    unexpected: List[str] = field(default_factory=list)
    resized: Optional[str] = None
    trained: List[str] = field(default_factory=list)

    def __str__(self) -> str:
        total = len(self.loaded) + len(self.missing)
        lines = [
            f'VFMViT: loaded {len(self.loaded)}/{total} tensors from '
            f'{self.source} ({self.layout}).'
        ]
        if self.resized:
            lines.append(f'pos_embed resized {self.resized}.')
        lines.append('Missing keys (left at their initial values): '
                     f'{", ".join(self.missing) or "none"}')
        lines.append('Unexpected keys (ignored): '
                     f'{", ".join(self.unexpected) or "none"}')
        if self.trained:
            lines.append(f'Spatial path: {len(self.trained)} tensors, trained '
                         'from their initialisation (not in checkpoints).')
        return '\n'.join(lines)


def extract_state_dict(checkpoint: Any,
                       source: str,
                       prefix: Optional[str] = None) -> Tuple[StateDict, str]:
    """Find the backbone weights inside a loaded checkpoint object.

    Args:
        checkpoint (Any): What :func:`load_trusted_checkpoint` returned.
        source (str): The checkpoint path, for messages.
        prefix (str, optional): Keep only keys starting with this prefix and
            strip it (as mmengine's ``Pretrained`` ``prefix``). Defaults to
            None: strip ``module.`` and ``backbone.`` wherever present.

    Returns:
        tuple[dict, str]: The tensors by (stripped) key, and a description
        of where they were found.

    Raises:
        ValueError: ``checkpoint`` is not a dict or holds no tensors.
    """
    if not isinstance(checkpoint, Mapping):
        raise ValueError(
            f'{source} holds a {type(checkpoint).__name__}, expected a '
            'checkpoint dict (a state dict, or a dict with one of '
            f'{NESTED_KEYS}).')
    where = 'bare state dict'
    for key in NESTED_KEYS:
        if isinstance(checkpoint.get(key), Mapping):
            checkpoint, where = checkpoint[key], f"'{key}' entry"
            break
    tensors = {
        k: v
        for k, v in checkpoint.items() if isinstance(v, torch.Tensor)
    }
    if not tensors:
        raise ValueError(
            f'{source} holds no tensors (top-level keys: '
            f'{list(checkpoint)[:10]}); expected a ViT state dict, or a dict '
            f'with one of {NESTED_KEYS}.')
    if prefix:
        tensors = {
            k[len(prefix):]: v
            for k, v in tensors.items() if k.startswith(prefix)
        }
        if not tensors:
            raise ValueError(
                f'No key of {source} starts with prefix {prefix!r}.')
        return tensors, where
    stripped = {}
    for key, value in tensors.items():
        for wrapper in STRIP_PREFIXES:
            if key.startswith(wrapper):
                key = key[len(wrapper):]
        stripped[key] = value
    return stripped, where


def convert_vit_keys(state_dict: StateDict) -> Tuple[StateDict, str]:
    """Rename timm/DINO/iBOT/MAE or mmseg ViT keys to VFMViT's names.

    Keys that match no rule (already ours, or foreign such as ``head.*``)
    pass through unchanged.

    Args:
        state_dict (dict): Tensors by key, wrapper prefixes stripped.

    Returns:
        tuple[dict, str]: The renamed state dict and the detected naming
        (``'timm names'``, ``'mmseg names'`` or ``'mmpretrain names'``).
    """
    keys = list(state_dict)
    if any(
            k.startswith(('blocks.', 'norm.', 'patch_embed.proj.'))
            for k in keys):
        naming = 'timm names'
    elif any('.attn.attn.' in k for k in keys):
        naming = 'mmseg names'
    else:
        naming = 'mmpretrain names'
    converted = {}
    for key, value in state_dict.items():
        for pattern, repl in KEY_RENAMES:
            new_key, count = re.subn(pattern, repl, key)
            if count:
                key = new_key
                break
        converted[key] = value
    return converted, naming


def load_vit_state_dict(path: str,
                        prefix: Optional[str] = None) -> Tuple[StateDict, str]:
    """Read a checkpoint file and return its ViT tensors in our key names.

    Args:
        path (str): Local checkpoint path.
        prefix (str, optional): See :func:`extract_state_dict`.

    Returns:
        tuple[dict, str]: Renamed tensors and a description of the format.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: the file is not a checkpoint or holds no tensors.
    """
    checkpoint = load_trusted_checkpoint(path)
    tensors, where = extract_state_dict(checkpoint, path, prefix)
    converted, naming = convert_vit_keys(tensors)
    return converted, f'{where}, {naming}'


def _square_grid(num_tokens: int, source: str) -> Tuple[int, int]:
    side = math.isqrt(num_tokens)
    if side * side != num_tokens:
        raise ValueError(
            f"{source}: 'pos_embed' has {num_tokens} patch tokens, not a "
            'square grid; cannot resize it to the model input size.')
    return side, side


def match_state_dict(state_dict: StateDict,
                     expected: Mapping,
                     source: str,
                     grid: Sequence[int],
                     num_extra_tokens: int = 1,
                     mode: str = 'bicubic') -> Tuple[StateDict, LoadReport]:
    """Fit converted tensors to the model's keys and shapes.

    ``pos_embed`` of another grid (e.g. trained at 224, used at 512) is
    resized with ``mode`` interpolation, extra (cls) tokens kept apart.
    Any other shape difference is an error.

    Args:
        state_dict (dict): Tensors in VFMViT key names.
        expected (Mapping): The model's key -> shape (``torch.Size``).
        source (str): The checkpoint path, for messages.
        grid (Sequence[int]): The model's patch grid ``(H, W)``.
        num_extra_tokens (int): Tokens before the patch tokens.
            Defaults to 1 (the cls token).
        mode (str): Interpolation for ``pos_embed``. Defaults to 'bicubic'.

    Returns:
        tuple[dict, LoadReport]: The tensors to load (only our keys) and the
        report; ``report.layout`` is left empty for the caller.

    Raises:
        ValueError: a shape differs (naming the first such key and both
            shapes), or no tensor matches a model key.
    """
    state_dict = dict(state_dict)
    report = LoadReport(source=source, layout='')
    pos, want = state_dict.get('pos_embed'), expected.get('pos_embed')
    if (pos is not None and want is not None and pos.ndim == 3
            and tuple(pos.shape) != tuple(want) and pos.shape[2] == want[2]):
        src_grid = _square_grid(pos.shape[1] - num_extra_tokens, source)
        state_dict['pos_embed'] = resize_pos_embed(pos, src_grid, tuple(grid),
                                                   mode, num_extra_tokens)
        report.resized = (f'from {tuple(pos.shape)} to {tuple(want)} (grid '
                          f'{src_grid[0]}x{src_grid[1]} -> '
                          f'{grid[0]}x{grid[1]}, {mode})')
    for key, shape in expected.items():
        if key in state_dict and tuple(state_dict[key].shape) != tuple(shape):
            raise ValueError(
                f'{source}: shape mismatch at {key!r}: checkpoint has '
                f'{tuple(state_dict[key].shape)}, VFMViT expects '
                f'{tuple(shape)}. The checkpoint is a different ViT (width, '
                'depth or patch size); set model.backbone arch/patch_size to '
                'match it or use a ViT-B/16 checkpoint.')
    report.loaded = [k for k in expected if k in state_dict]
    report.missing = [k for k in expected if k not in state_dict]
    report.unexpected = [k for k in state_dict if k not in expected]
    if not report.loaded:
        raise ValueError(
            f'{source}: none of its {len(state_dict)} tensors matches a '
            f'VFMViT parameter (first keys: {list(state_dict)[:5]}); expected '
            'a ViT checkpoint in timm, VisionFM, RETFound/MAE, mmpretrain or '
            'mmseg key names.')
    return {k: state_dict[k] for k in report.loaded}, report


def infer_vit_arch(state_dict: StateDict) -> Dict[str, Any]:
    """Guess VFMViT constructor arguments from tensors in our key names.

    The number of heads does not change any tensor shape; it is set to
    ``embed_dims // 64`` (as in ViT-S/B/L/H).

    Args:
        state_dict (dict): Tensors in VFMViT key names.

    Returns:
        dict: ``arch`` (dict), ``patch_size``, ``img_size`` and ``qkv_bias``.

    Raises:
        ValueError: the tensors needed to infer the shape are missing.
    """
    needed = ('patch_embed.projection.weight', 'pos_embed',
              'layers.0.ffn.layers.0.0.weight')
    absent = [k for k in needed if k not in state_dict]
    if absent:
        raise ValueError(f'Cannot infer the ViT shape: keys {absent} missing '
                         f'(have {list(state_dict)[:8]}...).')
    proj = state_dict['patch_embed.projection.weight']
    embed_dims, patch_size = proj.shape[0], proj.shape[-1]
    num_layers = 1 + max(
        int(m.group(1))
        for k in state_dict if (m := re.match(r'layers\.(\d+)\.', k)))
    grid = _square_grid(state_dict['pos_embed'].shape[1] - 1, 'pos_embed')
    arch = dict(
        embed_dims=embed_dims,
        num_layers=num_layers,
        num_heads=max(1, embed_dims // 64),
        feedforward_channels=state_dict['layers.0.ffn.layers.0.0.weight'].
        shape[0])
    return dict(
        arch=arch,
        patch_size=patch_size,
        img_size=grid[0] * patch_size,
        qkv_bias='layers.0.attn.qkv.bias' in state_dict)
