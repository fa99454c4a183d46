"""tools/analysis_tools/benchmark.py and get_flops.py: they measure the
config's own model, optimizer and loaders, and count FLOPs right."""
import importlib.util
from types import ModuleType

import pytest
import torch
from torch import nn

from .tool_utils import REPO_ROOT, TINY_FROZEN_CONFIG, data_options


def load_tool(name: str) -> ModuleType:
    path = REPO_ROOT / 'tools' / 'analysis_tools' / f'{name}.py'
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _options(root):
    return dict(item.split('=', 1) for item in data_options(root))


def test_the_optimizer_is_the_configs(drive_root):
    """The frozen config's constructor and paramwise_cfg are used: only the
    decoder and the spatial path are optimised, at 10x the base lr."""
    cfg, model, wrapper, encoder = load_tool('benchmark').build(
        str(TINY_FROZEN_CONFIG), _options(drive_root))
    optimised = {id(p) for g in wrapper.optimizer.param_groups
                 for p in g['params']}
    trainable = {id(p) for p in model.parameters() if p.requires_grad}
    assert optimised == trainable
    assert all(not p.requires_grad
               for n, p in model.backbone.named_parameters()
               if not n.startswith('spatial_path.'))
    base = cfg.optim_wrapper.optimizer.lr
    assert {g['lr'] for g in wrapper.optimizer.param_groups} == {10 * base}
    # the encoder alone: the same ViT weights, no spatial path
    assert not hasattr(encoder, 'spatial_path')
    for key, value in encoder.state_dict().items():
        assert torch.equal(value, model.backbone.state_dict()[key])


def test_benchmark_measures_the_config(drive_root, capsys):
    tool = load_tool('benchmark')
    args = tool.parse_args([
        str(TINY_FROZEN_CONFIG), '--steps', '2', '--warmup', '1', '--images',
        '1', '--cfg-options', *data_options(drive_root),
        'model.test_cfg.slide_batch_size=3'
    ])
    result = tool.benchmark(str(TINY_FROZEN_CONFIG), args)
    # a training step runs the encoder forward and more (spatial path, head,
    # losses, backward pass, optimizer step)
    assert result['train step (s)'] > result['encoder forward (s)'] > 0
    assert result['train step / encoder forward'] > 1
    # batched windows give mmseg's logits
    assert result['slide max |logit difference|'] < 1e-4
    tool.main([*map(str, args.configs), '--steps', '1', '--warmup', '0',
               '--images', '1', '--cfg-options', *data_options(drive_root)])
    table = capsys.readouterr().out
    assert '| train step / encoder forward |' in table


def test_median_seconds_leaves_out_the_warmup(monkeypatch):
    tool = load_tool('benchmark')
    durations = iter([100.0, 3.0, 1.0, 2.0])  # the warm-up call first
    clock = [0.0]

    def call():
        clock[0] += next(durations)

    monkeypatch.setattr(tool.time, 'perf_counter', lambda: clock[0])
    assert tool.median_seconds(call, warmup=1, repeat=3) == 2.0
    assert next(durations, None) is None


def test_flops_of_a_known_layer():
    conv = nn.Conv2d(3, 8, 3, padding=1, bias=False)
    counted = load_tool('get_flops').complexity(conv, (16, 20))
    # one multiply-add per weight per output pixel
    assert counted['flops'] == 16 * 20 * 8 * 3 * 3 * 3
    assert counted['params'] == 8 * 3 * 3 * 3


def test_get_flops_splits_encoder_and_decoder(capsys):
    load_tool('get_flops').main([str(TINY_FROZEN_CONFIG)])
    out = capsys.readouterr().out
    assert 'input 1x3x32x32' in out
    rows = {
        line.split('|')[1].strip(): float(line.split('|')[2])
        for line in out.splitlines() if line.startswith('| ') and
        line.split('|')[1].strip() in ('encoder', 'decoder', 'total')
    }
    assert rows['encoder'] + rows['decoder'] == pytest.approx(
        rows['total'], rel=1e-3)
    assert 0 < rows['decoder'] < rows['total']
