import json
import os.path as osp
import runpy
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

import setr_fundus  # noqa: F401
from setr_fundus.benchmark import (build_variant, median_time, peak_memory_mib,
                                   synthetic_batch, trainable_optim_wrapper,
                                   variant_model_cfg)
from setr_fundus.benchmark.timing import cpu_peak_supported

ROOT = osp.join(osp.dirname(__file__), '..', '..')
TINY = osp.join(osp.dirname(__file__), 'data', 'tiny_config.py')
TOOL = osp.join(ROOT, 'tools', 'analysis_tools', 'benchmark.py')
CPU = torch.device('cpu')


@pytest.fixture
def cfg() -> Config:
    init_default_scope('mmseg')
    return Config.fromfile(TINY)


def test_variants_freeze_and_match_sizes(cfg):
    ours = build_variant(cfg.model, 'this_config', CPU)
    unfrozen = build_variant(cfg.model, 'encoder_unfrozen', CPU)
    stock = build_variant(cfg.model, 'stock_mmseg', CPU, frozen=True)
    assert not any(p.requires_grad for p in ours.backbone.parameters())
    assert all(p.requires_grad for p in unfrozen.backbone.parameters())
    assert not any(p.requires_grad for p in stock.backbone.parameters())
    assert type(stock).__name__ == 'EncoderDecoder'
    assert type(stock.backbone).__name__ == 'VisionTransformer'
    assert type(stock.neck).__name__ == 'MLANeck'
    assert type(stock.decode_head).__name__ == 'SETRMLAHead'
    # same encoder size up to norm layers (mmseg taps without a final norm)
    n_ours = sum(p.numel() for p in ours.backbone.parameters())
    n_stock = sum(p.numel() for p in stock.backbone.parameters())
    assert abs(n_ours - n_stock) <= 0.01 * n_ours
    assert tuple(stock.backbone.out_indices) == (0, 1)
    trainable = build_variant(cfg.model, 'stock_mmseg', CPU, frozen=False)
    assert all(p.requires_grad for p in trainable.backbone.parameters())


def test_variant_rejects_unknown_name(cfg):
    with pytest.raises(ValueError, match='variant'):
        variant_model_cfg(cfg.model, 'nope')


def test_optimizer_holds_only_trainable_params(cfg):
    model = build_variant(cfg.model, 'this_config', CPU)
    wrapper = trainable_optim_wrapper(model, cfg.optim_wrapper)
    held = {id(p) for g in wrapper.optimizer.param_groups for p in g['params']}
    assert held == {id(p) for p in model.parameters() if p.requires_grad}
    assert not held & {id(p) for p in model.backbone.parameters()}
    model.train_step(synthetic_batch(2, (32, 32)), wrapper)
    assert all(p.grad is None for p in model.backbone.parameters())
    assert all(id(p) in held for p in wrapper.optimizer.state)


def test_median_time_rejects_zero_repeats():
    with pytest.raises(ValueError, match='repeat'):
        median_time(lambda: None, CPU, repeat=0)


@pytest.mark.skipif(not cpu_peak_supported(), reason='needs Linux VmHWM')
def test_cpu_peak_memory_sees_an_allocation():
    peak = peak_memory_mib(lambda: torch.ones(64 * 2**18).sum(), CPU)
    assert 48 <= peak <= 256  # a 64 MiB tensor


def test_benchmark_tool_on_tiny_config(tmp_path, monkeypatch, capsys):
    out = tmp_path / 'bench.json'
    monkeypatch.setattr(sys, 'argv', [
        TOOL, TINY, '--repeat', '1', '--warmup', '0', '--image-size', '48',
        '40', '--data-images', '1', '--json',
        str(out)
    ])
    runpy.run_path(TOOL, run_name='__main__')
    table = capsys.readouterr().out
    for row in ('train step (s), encoder frozen, batch 2 x 32x32',
                'train step (s), encoder unfrozen', 'peak memory (MiB)',
                'encoder forward alone', 'train step / encoder forward',
                'GFLOPs per 32x32 image, encoder', 'params (M), neck',
                'GFLOPs per 32x32 image, head', 'slide inference, 48x40',
                'train pipeline (samples/s',
                'decoder (neck + head) GFLOPs / encoder GFLOPs (%)'):
        assert row in table
    res = json.loads(out.read_text())
    assert res['config'] == TINY
    for variant in ('this_config', 'encoder_unfrozen', 'stock_mmseg'):
        assert res['train_step'][variant]['time_s'] > 0
        assert res['train_step'][variant]['trainable_params'] > 0
    assert res['train_step']['this_config']['encoder_frozen']
    assert not res['train_step']['encoder_unfrozen']['encoder_frozen']
    assert res['train_step']['stock_mmseg']['encoder_frozen']
    assert res['encoder_forward']['ours'] > 0
    assert res['encoder_forward']['stock'] > 0
    assert res['step_over_encoder']['ours'] > 0
    for model in ('ours', 'stock'):
        for part in ('encoder', 'neck', 'head', 'total'):
            assert res['complexity'][model][part]['gflops'] > 0
            assert res['complexity'][model][part]['params_m'] > 0
    slide = res['slide_inference']
    assert slide['ours_img_per_s'] > 0 and slide['mmseg_img_per_s'] > 0
    assert slide['windows'] == 4 and slide['max_abs_diff'] < 1e-4
    data = res['data_loading']
    assert data['cache_samples_per_s'] > 0
    assert data['no_cache_samples_per_s'] > 0
    assert res['meta']['wall_s'] > 0
