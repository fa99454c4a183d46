"""Pure checkpoint-reading functions behind VFMViT's init_cfg."""
import argparse

import pytest
import torch

from setr_fundus.models.backbones import (LoadReport, convert_vit_keys,
                                          extract_state_dict, infer_vit_arch,
                                          load_vit_state_dict,
                                          match_state_dict)


def _t(*shape: int) -> torch.Tensor:
    return torch.zeros(*shape)


def test_extract_prefers_teacher_and_strips_prefixes():
    ckpt = dict(
        student={'module.backbone.cls_token': _t(1)},
        teacher={
            'backbone.cls_token': _t(2),
            'head.w': _t(3)
        },
        epoch=3,
        args=argparse.Namespace(lr=1))
    state, where = extract_state_dict(ckpt, 'f.pth')
    assert where == "'teacher' entry"
    assert set(state) == {'cls_token', 'head.w'}
    assert state['cls_token'].shape == (2, )


@pytest.mark.parametrize('ckpt, where', [
    ({
        'model': {
            'blocks.0.norm1.weight': _t(1),
            'mask_token': _t(1)
        }
    }, "'model' entry"),
    ({
        'state_dict': {
            'module.blocks.0.norm1.weight': _t(1)
        }
    }, "'state_dict' entry"),
    ({
        'student': {
            'module.backbone.blocks.0.norm1.weight': _t(1)
        }
    }, "'student' entry"),
    ({
        'blocks.0.norm1.weight': _t(1),
        'meta_note': 'x'
    }, 'bare state dict'),
])
def test_extract_formats(ckpt, where):
    state, found = extract_state_dict(ckpt, 'f.pth')
    assert found == where
    assert 'blocks.0.norm1.weight' in state
    assert all(isinstance(v, torch.Tensor) for v in state.values())


def test_extract_with_explicit_prefix():
    ckpt = {'state_dict': {'backbone.ln1.weight': _t(1), 'neck.x': _t(1)}}
    state, _ = extract_state_dict(ckpt, 'f.pth', prefix='backbone.')
    assert list(state) == ['ln1.weight']
    with pytest.raises(ValueError, match="prefix 'encoder.'"):
        extract_state_dict(ckpt, 'f.pth', prefix='encoder.')


@pytest.mark.parametrize('ckpt, match', [
    ([1, 2], 'f.pth holds a list'),
    ({
        'epoch': 1,
        'args': None
    }, 'f.pth holds no tensors'),
])
def test_extract_rejects_non_state_dicts(ckpt, match):
    with pytest.raises(ValueError, match=match):
        extract_state_dict(ckpt, 'f.pth')


def test_convert_timm_names():
    keys = [
        'cls_token', 'pos_embed', 'patch_embed.proj.weight', 'norm.bias',
        'blocks.11.norm1.weight', 'blocks.11.attn.qkv.bias',
        'blocks.11.attn.proj.weight', 'blocks.11.norm2.bias',
        'blocks.11.mlp.fc1.weight', 'blocks.11.mlp.fc2.bias', 'head.weight'
    ]
    state, naming = convert_vit_keys({k: _t(1) for k in keys})
    assert naming == 'timm names'
    assert list(state) == [
        'cls_token', 'pos_embed', 'patch_embed.projection.weight', 'ln1.bias',
        'layers.11.ln1.weight', 'layers.11.attn.qkv.bias',
        'layers.11.attn.proj.weight', 'layers.11.ln2.bias',
        'layers.11.ffn.layers.0.0.weight', 'layers.11.ffn.layers.1.bias',
        'head.weight'
    ]


def test_convert_mmseg_and_mmpretrain_names():
    keys = [
        'layers.0.attn.attn.in_proj_weight', 'layers.0.attn.attn.in_proj_bias',
        'layers.0.attn.attn.out_proj.weight', 'layers.0.ln1.weight', 'ln1.bias'
    ]
    state, naming = convert_vit_keys({k: _t(1) for k in keys})
    assert naming == 'mmseg names'
    assert list(state) == [
        'layers.0.attn.qkv.weight', 'layers.0.attn.qkv.bias',
        'layers.0.attn.proj.weight', 'layers.0.ln1.weight', 'ln1.bias'
    ]
    ours = {'layers.0.attn.qkv.weight': _t(1), 'ln1.weight': _t(1)}
    assert convert_vit_keys(ours) == (ours, 'mmpretrain names')


def test_match_resizes_pos_embed_and_reports():
    expected = {
        'pos_embed': torch.Size([1, 1 + 20 * 20, 8]),
        'cls_token': torch.Size([1, 1, 8]),
        'ln1.weight': torch.Size([8])
    }
    pos = torch.randn(1, 1 + 14 * 14, 8)
    state = {'pos_embed': pos, 'cls_token': _t(1, 1, 8), 'head.w': _t(2)}
    loaded, report = match_state_dict(state, expected, 'f.pth', (20, 20))
    assert loaded['pos_embed'].shape == (1, 401, 8)
    assert torch.equal(loaded['pos_embed'][:, 0], pos[:, 0])
    assert report.loaded == ['pos_embed', 'cls_token']
    assert report.missing == ['ln1.weight']
    assert report.unexpected == ['head.w']
    assert '14x14 -> 20x20' in report.resized
    assert set(loaded) == {'pos_embed', 'cls_token'}


def test_match_errors():
    expected = {
        'cls_token': torch.Size([1, 1, 8]),
        'pos_embed': torch.Size([1, 5, 8])
    }
    with pytest.raises(
            ValueError, match=r"'cls_token'.*\(1, 1, 16\).*"
            r'\(1, 1, 8\)'):
        match_state_dict({'cls_token': _t(1, 1, 16)}, expected, 'f.pth',
                         (2, 2))
    with pytest.raises(ValueError, match='not a square grid'):
        match_state_dict({'pos_embed': _t(1, 7, 8)}, expected, 'f.pth', (2, 2))
    with pytest.raises(ValueError, match='none of its 1 tensors'):
        match_state_dict({'fc.weight': _t(3)}, expected, 'f.pth', (2, 2))


def test_infer_vit_arch():
    state = {
        'patch_embed.projection.weight': _t(128, 3, 14, 14),
        'pos_embed': _t(1, 1 + 16 * 16, 128),
        'layers.0.ffn.layers.0.0.weight': _t(512, 128),
        'layers.0.attn.qkv.bias': _t(384),
        'layers.5.ln1.weight': _t(128),
    }
    assert infer_vit_arch(state) == dict(
        arch=dict(
            embed_dims=128,
            num_layers=6,
            num_heads=2,
            feedforward_channels=512),
        patch_size=14,
        img_size=224,
        qkv_bias=True)
    with pytest.raises(ValueError, match='pos_embed'):
        infer_vit_arch({'patch_embed.projection.weight': _t(1)})


def test_load_vit_state_dict(tmp_path):
    path = tmp_path / 'mae.pth'
    torch.save({'model': {'norm.weight': _t(4)}, 'epoch': 1}, path)
    state, layout = load_vit_state_dict(str(path))
    assert list(state) == ['ln1.weight']
    assert layout == "'model' entry, timm names"
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        load_vit_state_dict(str(tmp_path / 'missing.pth'))


def test_report_text():
    report = LoadReport('w.pth', 'bare state dict, timm names', ['a', 'b'],
                        ['c'], ['head.x', 'mask_token'])
    text = str(report)
    assert ('loaded 2/3 tensors from w.pth (bare state dict, timm names)'
            in text)
    assert 'Missing keys (left at their initial values): c' in text
    assert 'Unexpected keys (ignored): head.x, mask_token' in text
