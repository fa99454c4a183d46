"""VFMViT against the independent reference ViT of ``conftest.py``."""
import argparse
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest
import torch
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS
from torch import nn

import setr_fundus.models.backbones.vfm_vit as vfm_vit_module
from setr_fundus.models.backbones import VFMViT

REPO_ROOT = Path(__file__).resolve().parents[3]
FORMATS = ('visionfm', 'timm', 'mae', 'ddp', 'mmpretrain', 'mmseg')


def build(path: Optional[Path] = None, **kwargs) -> VFMViT:
    """Build VFMViT through the registry, run init_weights, eval mode."""
    init_default_scope('mmseg')
    cfg = dict(type='VFMViT', **kwargs)
    if path is not None:
        cfg['init_cfg'] = dict(type='Pretrained', checkpoint=str(path))
    model = MODELS.build(cfg)
    model.init_weights()
    return model.eval()


@pytest.fixture
def logs(monkeypatch) -> list:
    """Collects ``(message, kwargs)`` of VFMViT's print_log calls."""
    calls = []
    monkeypatch.setattr(vfm_vit_module, 'print_log',
                        lambda msg, **kw: calls.append((msg, kw)))
    return calls


def assert_maps_match(outs, refs, shape) -> None:
    assert len(outs) == len(refs)
    for out, ref in zip(outs, refs):
        assert out.shape == shape
        torch.testing.assert_close(out, ref, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize('norm_all', [True, False])
@pytest.mark.parametrize('fmt', FORMATS)
def test_formats_match_reference(small_ref, write_checkpoint, tmp_path, logs,
                                 fmt, norm_all):
    extras = write_checkpoint(small_ref, fmt, tmp_path / 'w.pth')
    model = build(
        tmp_path / 'w.pth',
        arch=small_ref.arch,
        out_indices=(0, 2, 3),
        norm_all_outputs=norm_all)
    x = torch.randn(2, 3, 224, 224)
    assert_maps_match(
        model(x), small_ref.tapped(x, (0, 2, 3), norm_all), (2, 64, 14, 14))
    assert len(logs) == 1
    msg, kwargs = logs[0]
    total = len(model.state_dict())
    assert f'loaded {total}/{total} tensors' in msg
    assert 'Missing keys (left at their initial values): none' in msg
    assert kwargs['level'] == logging.INFO
    for key in extras:
        assert key in msg


def test_vit_b16_visionfm_teacher(make_ref, tmp_path):
    torch.manual_seed(0)
    ref = make_ref(768, 12, 12, 3072).eval()
    state = ref.state_dict()
    path = tmp_path / 'VFM_Fundus_weights.pth'
    torch.save(
        dict(
            teacher={
                'backbone.' + k: v
                for k, v in state.items()
            },
            student={
                'module.backbone.' + k: v
                for k, v in state.items()
            },
            epoch=1,
            args=argparse.Namespace(patch_size=16)), path)
    model = build(path)
    assert model.pos_embed.shape == (1, 197, 768)
    assert model.out_indices == [2, 5, 8, 11]
    x = torch.randn(1, 3, 224, 224)
    model.out_indices = [2, 5]  # the deeper taps add time, not coverage
    for norm_all in (True, False):
        model.norm_all_outputs = norm_all
        assert_maps_match(
            model(x), ref.tapped(x, (2, 5), norm_all), (1, 768, 14, 14))


def test_pos_embed_resized_to_img_size(small_ref, write_checkpoint, tmp_path,
                                       logs):
    write_checkpoint(small_ref, 'timm', tmp_path / 'w.pth')
    model = build(
        tmp_path / 'w.pth',
        arch=small_ref.arch,
        img_size=320,
        out_indices=(1, 3))
    assert model.pos_embed.shape == (1, 401, 64)
    assert 'grid 14x14 -> 20x20' in logs[0][0]
    x = torch.randn(1, 3, 320, 320)
    assert_maps_match(
        model(x), small_ref.tapped(x, (1, 3), True), (1, 64, 20, 20))


def test_missing_keys_are_reported(small_ref, tmp_path, logs):
    state = {
        k: v
        for k, v in small_ref.state_dict().items() if not k.startswith('norm.')
    }
    torch.save({'model': state}, tmp_path / 'ft.pth')
    model = build(tmp_path / 'ft.pth', arch=small_ref.arch, out_indices=3)
    assert model.load_pretrained(str(
        tmp_path / 'ft.pth')).missing == ['ln1.weight', 'ln1.bias']
    msg, kwargs = logs[0]
    assert 'Missing keys (left at their initial values): ln1.weight, ' \
        'ln1.bias' in msg
    assert kwargs['level'] == logging.WARNING


def train_step(model: VFMViT) -> None:
    """One AdamW step on a loss from a small conv over the tapped maps;
    asserts the conv received gradients and changed."""
    head = nn.Conv2d(64, 2, 1)
    weight = head.weight.detach().clone()
    params = [p for p in model.parameters() if p.requires_grad]
    optim = torch.optim.AdamW([*params, *head.parameters()], lr=0.1)
    outs = model(torch.randn(2, 3, 32, 32))
    sum(head(o).square().mean() for o in outs).backward()
    optim.step()
    assert head.weight.grad.abs().sum() > 0
    assert not torch.equal(head.weight.detach(), weight)


def test_frozen_all(small_ref, write_checkpoint, tmp_path):
    write_checkpoint(small_ref, 'timm', tmp_path / 'w.pth')
    model = build(
        tmp_path / 'w.pth',
        arch=small_ref.arch,
        out_indices=(1, 3),
        frozen_stages='all',
        drop_rate=0.5,
        drop_path_rate=0.5)
    assert model.frozen_stages == 4
    before = {k: v.clone() for k, v in model.state_dict().items()}
    model.train()
    assert not any(p.requires_grad for p in model.parameters())
    assert all(not m.training for m in model.modules() if m is not model)
    x = torch.randn(1, 3, 32, 32)
    for first, second in zip(model(x), model(x)):
        assert torch.equal(first, second)
        assert first.grad_fn is None and not first.requires_grad
    train_step(model)
    for key, value in model.state_dict().items():
        assert torch.equal(value, before[key]), key


def test_spatial_path_beside_a_frozen_pretrained_vit(small_ref,
                                                     write_checkpoint,
                                                     tmp_path, logs):
    """With ``spatial_channels`` the backbone returns the ViT's maps, then the
    spatial path's; freezing and the checkpoint apply to the ViT alone, and
    the load report says the spatial path trains from scratch."""
    write_checkpoint(small_ref, 'timm', tmp_path / 'w.pth')
    model = build(
        tmp_path / 'w.pth',
        arch=small_ref.arch,
        out_indices=(1, 3),
        frozen_stages='all',
        spatial_channels=(4, 6, 8, 8, 10))
    msg, kwargs = logs[0]
    vit_total = len(small_ref.state_dict())
    assert f'loaded {vit_total}/{vit_total} tensors' in msg
    assert 'Missing keys (left at their initial values): none' in msg
    assert 'Spatial path: ' in msg and kwargs['level'] == logging.INFO
    model.train()
    trainable = {n.split('.')[0] for n, p in model.named_parameters()
                 if p.requires_grad}
    assert trainable == {'spatial_path'}
    assert model.spatial_path.training and not model.layers.training
    x = torch.randn(2, 3, 64, 48)
    outs = model(x)
    assert [tuple(o.shape[1:]) for o in outs] == [
        (64, 4, 3), (64, 4, 3), (4, 64, 48), (6, 32, 24), (8, 16, 12),
        (8, 8, 6), (10, 4, 3)
    ]
    assert outs[0].grad_fn is None and outs[-1].requires_grad
    assert_maps_match(outs[:2], small_ref.tapped(x, (1, 3), True),
                      (2, 64, 4, 3))


def test_spatial_path_takes_the_image_channels(small_ref):
    model = build(
        arch=small_ref.arch,
        in_channels=1,
        out_indices=3,
        spatial_channels=(4, 4))
    outs = model(torch.randn(1, 1, 32, 32))
    assert [o.shape[1] for o in outs] == [64, 4, 4]


def test_frozen_stages_zero_and_n(small_ref):
    model = build(arch=small_ref.arch, out_indices=(1, 3), frozen_stages=0)
    assert {n for n, p in model.named_parameters() if not p.requires_grad} \
        == {'cls_token', 'pos_embed', 'patch_embed.projection.weight',
            'patch_embed.projection.bias'}
    model = build(arch=small_ref.arch, out_indices=(1, 3), frozen_stages=2)
    model.train()
    for i, layer in enumerate(model.layers):
        assert all(p.requires_grad == (i >= 2) for p in layer.parameters())
        assert layer.training == (i >= 2)
    assert model.ln1.weight.requires_grad and not model.patch_embed.training
    before = {k: v.clone() for k, v in model.state_dict().items()}
    train_step(model)
    after = model.state_dict()
    frozen = ('layers.0.', 'layers.1.', 'patch_embed', 'cls_token',
              'pos_embed')
    assert all(
        torch.equal(after[k], before[k]) for k in before
        if k.startswith(frozen))
    assert not torch.equal(after['layers.3.attn.qkv.weight'],
                           before['layers.3.attn.qkv.weight'])
    # Taps within the frozen layers run without autograd, unless they pass
    # through the (trainable) final norm.
    model.out_indices = [0, 1]
    x = torch.randn(1, 3, 32, 32)
    assert all(o.grad_fn is not None for o in model(x))
    model.norm_all_outputs = False
    assert all(o.grad_fn is None for o in model(x))


def test_unfrozen_trains_everything(small_ref):
    model = build(arch=small_ref.arch, out_indices=(-1, ))
    assert model.out_indices == [3]
    assert all(p.requires_grad for p in model.parameters())
    model.train()
    assert all(m.training for m in model.modules())
    assert model(torch.randn(1, 3, 32, 32))[0].grad_fn is not None


def test_default_arguments():
    with torch.device('meta'):
        model = VFMViT()
    assert model.out_indices == [2, 5, 8, 11]
    assert model.frozen_stages == -1 and model.norm_all_outputs
    assert model.embed_dims == 768 and model.num_layers == 12
    assert model.ln1.eps == 1e-6 and model.layers[0].attn.qkv.bias is not None


@pytest.mark.parametrize('kwargs, match', [
    (dict(frozen_stages=5), 'frozen_stages'),
    (dict(frozen_stages='some'), 'frozen_stages'),
    (dict(out_indices=(4, )), 'out_indices'),
    (dict(out_indices=()), 'out_indices'),
    (dict(final_norm=False), 'final_norm'),
])
def test_invalid_arguments(small_ref, kwargs, match):
    with pytest.raises(ValueError, match=match):
        VFMViT(arch=small_ref.arch, **{'out_indices': 3, **kwargs})


def test_missing_file_error(small_ref, tmp_path):
    path = tmp_path / 'nowhere' / 'VFM_Fundus_weights.pth'
    with pytest.raises(FileNotFoundError) as err:
        build(path, arch=small_ref.arch, out_indices=3)
    assert str(path) in str(err.value)
    assert 'model.backbone.init_cfg=None' in str(err.value)


def test_pretrained_without_path(small_ref):
    model = VFMViT(
        arch=small_ref.arch, out_indices=3, init_cfg=dict(type='Pretrained'))
    with pytest.raises(ValueError, match='init_cfg=None'):
        model.init_weights()


def test_vit_large_width_mismatch(tmp_path):
    path = tmp_path / 'vit_l16.pth'
    torch.save(
        {
            'cls_token': torch.zeros(1, 1, 1024),
            'pos_embed': torch.zeros(1, 197, 1024),
            'patch_embed.proj.weight': torch.zeros(1024, 3, 16, 16)
        }, path)
    with pytest.raises(ValueError) as err:
        build(path)  # ViT-B/16
    msg = str(err.value)
    assert "'cls_token'" in msg and str(path) in msg
    assert '(1, 1, 1024)' in msg and '(1, 1, 768)' in msg


def test_patch14_mismatch(make_ref, write_checkpoint, tmp_path):
    ref = make_ref(patch=14)
    write_checkpoint(ref, 'timm', tmp_path / 'p14.pth')
    with pytest.raises(ValueError) as err:
        build(tmp_path / 'p14.pth', arch=ref.arch, out_indices=3)
    msg = str(err.value)
    assert "'patch_embed.projection.weight'" in msg
    assert '(64, 3, 14, 14)' in msg and '(64, 3, 16, 16)' in msg


@pytest.mark.parametrize('content, match', [
    (b'this is not a checkpoint', 'not a readable PyTorch checkpoint'),
    ([1, 2, 3], 'holds a list'),
    ({
        'epoch': 3
    }, 'holds no tensors'),
    ({
        'conv1.weight': torch.zeros(4, 3, 7, 7)
    }, 'matches a VFMViT parameter'),
])
def test_bad_checkpoint_files(small_ref, tmp_path, content, match):
    path = tmp_path / 'bad.pth'
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        torch.save(content, path)
    with pytest.raises(ValueError, match=match) as err:
        build(path, arch=small_ref.arch, out_indices=3)
    assert str(path) in str(err.value)


def test_converter_cli(small_ref, write_checkpoint, tmp_path):
    src, dst = tmp_path / 'vfm.pth', tmp_path / 'out' / 'vfmvit.pth'
    write_checkpoint(small_ref, 'visionfm', src)
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        [str(REPO_ROOT), env.get('PYTHONPATH', '')])
    cmd = [sys.executable, 'tools/model_converters/vfm2mmseg.py', src, dst]
    result = subprocess.run(
        cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert 'loaded 54/54 tensors' in result.stdout
    assert 'Unexpected keys (ignored): head.mlp.0.weight' in result.stdout
    converted = torch.load(dst, weights_only=True)
    assert len(converted) == 54 and 'layers.3.ffn.layers.1.weight' in converted
    model = build(dst, arch=small_ref.arch, out_indices=2)
    x = torch.randn(1, 3, 224, 224)
    assert_maps_match(
        model(x), small_ref.tapped(x, (2, ), True), (1, 64, 14, 14))
