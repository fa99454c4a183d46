"""The frozen config trains its decoder (and the backbone's spatial path)
from a randomly initialised encoder checkpoint written in VisionFM's format,
leaving the ViT encoder untouched."""
import argparse
from pathlib import Path
from typing import Dict

import numpy as np
import torch

from setr_fundus.models.backbones.vfm_vit import SPATIAL_PATH
from setr_fundus.utils import load_trusted_checkpoint
from .tool_utils import (TINY_FROZEN_CONFIG, data_options, derived_config,
                         latest_scalars, run_tool)

# the tiny encoder of tiny_frozen_config.py
DIM, LAYERS, HIDDEN, PATCH, TOKENS = 32, 2, 64, 8, (32 // 8)**2
# 2 epochs of 9 iterations: 3 training images (one of the 4 is held out)
# x 6 repeats at batch 2
ITERS = 18


def _timm_vit(generator: torch.Generator) -> Dict[str, torch.Tensor]:
    """Random weights of the tiny ViT in timm's names (as VisionFM saves
    its ``backbone``); every tensor random, LayerNorms included."""
    shapes = {
        'cls_token': (1, 1, DIM),
        'pos_embed': (1, TOKENS + 1, DIM),
        'patch_embed.proj.weight': (DIM, 3, PATCH, PATCH),
        'patch_embed.proj.bias': (DIM, ),
        'norm.weight': (DIM, ),
        'norm.bias': (DIM, ),
    }
    for i in range(LAYERS):
        shapes.update({
            f'blocks.{i}.norm1.weight': (DIM, ),
            f'blocks.{i}.norm1.bias': (DIM, ),
            f'blocks.{i}.attn.qkv.weight': (3 * DIM, DIM),
            f'blocks.{i}.attn.qkv.bias': (3 * DIM, ),
            f'blocks.{i}.attn.proj.weight': (DIM, DIM),
            f'blocks.{i}.attn.proj.bias': (DIM, ),
            f'blocks.{i}.norm2.weight': (DIM, ),
            f'blocks.{i}.norm2.bias': (DIM, ),
            f'blocks.{i}.mlp.fc1.weight': (HIDDEN, DIM),
            f'blocks.{i}.mlp.fc1.bias': (HIDDEN, ),
            f'blocks.{i}.mlp.fc2.weight': (DIM, HIDDEN),
            f'blocks.{i}.mlp.fc2.bias': (DIM, ),
        })
    state = {
        key: torch.randn(shape, generator=generator) * 0.2
        for key, shape in shapes.items()
    }
    for key in state:
        if 'norm' in key and key.endswith('weight'):
            state[key] += 1.0
    return state


def _write_visionfm(path: Path, backbone: Dict[str, torch.Tensor]) -> None:
    """An iBOT/VisionFM training checkpoint: teacher and student (the
    latter DDP-wrapped and different), projection heads, optimizer state,
    epoch and the training arguments as an ``argparse.Namespace``."""
    head = {
        'head.mlp.0.weight': torch.randn(16, DIM),
        'head.last_layer.weight_g': torch.ones(8, 1),
    }
    torch.save(
        dict(
            teacher={
                **{
                    'backbone.' + k: v
                    for k, v in backbone.items()
                },
                **head
            },
            student={
                'module.backbone.' + k: v + 1.0
                for k, v in backbone.items()
            },
            optimizer={
                'state': {},
                'param_groups': [{
                    'lr': 0.1
                }]
            },
            epoch=100,
            args=argparse.Namespace(arch='vit_tiny', patch_size=PATCH)), path)


def test_frozen_config_trains_decoder_only(drive_root, tmp_path):
    teacher = _timm_vit(torch.Generator().manual_seed(0))
    checkpoint = tmp_path / 'VFM_Fundus_weights.pth'
    _write_visionfm(checkpoint, teacher)
    config = derived_config(tmp_path, TINY_FROZEN_CONFIG,
                            [dict(type='RankDumpHook')])
    work_dir = tmp_path / 'work'
    run_tool([
        'tools/train.py', config, '--work-dir', work_dir, '--cfg-options',
        f'model.backbone.init_cfg.checkpoint={checkpoint}',
        *data_options(drive_root)
    ])

    losses = [
        r['train/loss'] for r in latest_scalars(work_dir) if 'train/loss' in r
    ]
    assert len(losses) == ITERS
    assert np.mean(losses[-4:]) < np.mean(losses[:4]), losses

    final = load_trusted_checkpoint(str(work_dir / 'final_model.pth'))
    assert final['meta']['iter'] == ITERS
    state = final['state_dict']
    initial = torch.load(work_dir / 'rank0_init.pth', weights_only=True)
    spatial = f'backbone.{SPATIAL_PATH}.'
    backbone = {
        k: v
        for k, v in state.items()
        if k.startswith('backbone.') and not k.startswith(spatial)
    }
    # the ViT encoder holds the teacher's tensors, each exactly once (names
    # differ: timm -> mmpretrain), and training left them untouched
    assert len(backbone) == len(teacher)
    for name, tensor in teacher.items():
        matches = [k for k, v in backbone.items() if torch.equal(v, tensor)]
        assert len(matches) == 1, f'teacher {name} found as {matches}'
    for key, value in backbone.items():
        assert torch.equal(value, initial['state_dict'][key]), key
    # only the decoder and the spatial path train, and all of them moved
    decoder = [
        n for n in initial['parameters']
        if n.startswith(('decode_', spatial))
    ]
    assert any(n.startswith(spatial) for n in decoder)
    assert decoder and sorted(initial['trainable']) == sorted(decoder)
    unchanged = [
        n for n in decoder if torch.equal(state[n], initial['state_dict'][n])
    ]
    assert not unchanged, f'decoder parameters unchanged: {unchanged}'
