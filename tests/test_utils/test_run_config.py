import logging

import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MMLogger

from setr_fundus.utils import (enable_amp, enable_mask_output, enable_tta,
                               enable_visualization, set_resume, set_work_dir)


def _cfg(**kwargs) -> Config:
    cfg = dict(
        optim_wrapper=dict(type='OptimWrapper', optimizer=dict(type='SGD')),
        model=dict(type='FundusEncoderDecoder'),
        tta_model=dict(type='FundusTTAModel'),
        tta_pipeline=[dict(type='LoadImageFromFile')],
        test_dataloader=dict(dataset=dict(pipeline=[])),
        default_hooks=dict(visualization=dict(type='SegVisualizationHook')),
        visualizer=dict(type='SegLocalVisualizer'))
    cfg.update(kwargs)
    return Config(cfg)


def test_work_dir_priority():
    cfg = _cfg()
    set_work_dir(cfg, None, 'configs/quickstart_synthetic.py')
    assert cfg.work_dir == './work_dirs/quickstart_synthetic'
    set_work_dir(cfg, 'work_dirs/exp1', 'configs/x.py')
    assert cfg.work_dir == 'work_dirs/exp1'
    cfg2 = _cfg(work_dir='from_cfg')
    set_work_dir(cfg2, None, 'configs/x.py')
    assert cfg2.work_dir == 'from_cfg'


def test_amp_is_a_noop_with_a_warning_on_cpu(monkeypatch, caplog):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    cfg = _cfg()
    # MMLogger does not pass records on to the root logger caplog reads
    logger = MMLogger.get_current_instance()
    logger.addHandler(caplog.handler)
    try:
        assert enable_amp(cfg) is False
    finally:
        logger.removeHandler(caplog.handler)
    assert cfg.optim_wrapper.type == 'OptimWrapper'
    warnings = [r.getMessage() for r in caplog.records
                if r.levelno == logging.WARNING]
    assert any('--amp ignored' in m and 'CUDA' in m for m in warnings)


@pytest.mark.parametrize('bf16,dtype,scale', [(True, 'bfloat16', None),
                                              (False, 'float16', 'dynamic')])
def test_amp_on_cuda(monkeypatch, bf16, dtype, scale):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    monkeypatch.setattr(torch.cuda, 'is_bf16_supported', lambda: bf16)
    cfg = _cfg()
    assert enable_amp(cfg) is True
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.dtype == dtype
    assert cfg.optim_wrapper.get('loss_scale') == scale


def test_resume(tmp_path):
    cfg = _cfg(resume=False, load_from=None)
    set_resume(cfg, None)
    assert cfg.resume is False
    set_resume(cfg, 'auto')
    assert cfg.resume is True and cfg.load_from is None
    ckpt = tmp_path / 'model_epoch_5.pth'
    ckpt.write_bytes(b'x')
    set_resume(cfg, str(ckpt))
    assert cfg.load_from == str(ckpt)
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        set_resume(cfg, str(tmp_path / 'missing.pth'))


def test_tta_wraps_model():
    cfg = _cfg()
    enable_tta(cfg)
    assert cfg.model.type == 'FundusTTAModel'
    assert cfg.model.module.type == 'FundusEncoderDecoder'
    assert cfg.test_dataloader.dataset.pipeline == cfg.tta_pipeline


def test_visualization():
    cfg = _cfg()
    enable_visualization(cfg, 'shows')
    assert cfg.default_hooks.visualization.draw is True
    assert cfg.default_hooks.visualization.interval == 1
    assert cfg.visualizer.save_dir == 'shows'


@pytest.mark.parametrize('evaluator', [
    dict(type='VesselMetric'),
    [dict(type='VesselMetric'), dict(type='VesselMorphologyMetric')],
])
def test_mask_output_goes_to_every_vessel_metric(evaluator):
    cfg = _cfg(test_evaluator=evaluator)
    enable_mask_output(cfg, 'masks')
    metrics = cfg.test_evaluator if isinstance(cfg.test_evaluator,
                                               list) else [cfg.test_evaluator]
    assert metrics[0].output_dir == 'masks'
    assert all('output_dir' not in m for m in metrics[1:])
    with pytest.raises(KeyError, match='needs a VesselMetric'):
        enable_mask_output(_cfg(test_evaluator=[dict(type='X')]), 'masks')
