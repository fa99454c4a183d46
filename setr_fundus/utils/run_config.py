"""Config adjustments behind the command-line flags of ``tools/``.

The scripts in ``tools/`` only parse arguments and call these, so the logic
is importable and tested. Each flag changes only what it names, and the
tools print what a convenience flag such as ``--data-root`` set.
"""
import copy
import logging
import os.path as osp
from typing import List, Optional, Sequence, Union

import torch
from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.runner import Runner
from mmseg.registry import RUNNERS

LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def load_config(config: Union[str, Config],
                cfg_options: Optional[dict] = None) -> Config:
    """Read a config and merge ``--cfg-options``, as mmseg's tools do.

    Nothing else changes: what the file says (with its ``_base_``) and the
    options given are what runs, with our tools as with mmseg's.

    Args:
        config (str | Config): Config file, or a config (left unchanged:
            the result is a copy).
        cfg_options (dict, optional): ``--cfg-options``, merged by
            ``Config.merge_from_dict``. Defaults to None.

    Returns:
        Config: The config, ready to build.
    """
    cfg = Config.fromfile(config) if isinstance(config, str) \
        else copy.deepcopy(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def set_data_root(cfg: Config, data_root: str,
                  loaders: Sequence[str] = LOADERS) -> List[str]:
    """Point the data sets of the given loaders at ``data_root``
    (``--data-root``), through dataset wrappers such as ``RepeatDataset``.

    Args:
        cfg (Config): The config, changed in place.
        data_root (str): Folder of the data set.
        loaders (Sequence[str]): Loaders to change. Defaults to all three.

    Returns:
        list[str]: The keys set, as ``--cfg-options`` would name them.

    Raises:
        ValueError: A loader combines several sets (``ConcatDataset``):
            each set needs its own root.
    """
    keys = []
    for loader in loaders:
        if cfg.get(loader) is None:
            continue
        key, dataset = f'{loader}.dataset', cfg[loader].dataset
        while 'data_root' not in dataset and 'dataset' in dataset:
            key, dataset = f'{key}.dataset', dataset.dataset  # wrappers
        if 'data_root' not in dataset:
            raise ValueError(
                f'--data-root: {key} ({dataset.get("type")}) has no '
                'data_root of its own (a set of several data sets?); set '
                f'the data_root of each of its sets with --cfg-options '
                f'{key}.datasets.0.data_root=...')
        dataset.data_root = data_root
        keys.append(f'{key}.data_root')
    return keys


def set_work_dir(cfg: Config, work_dir: Optional[str],
                 config_path: str) -> None:
    """Pick the work dir: CLI, then config, then ``work_dirs/<config>``."""
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(config_path))[0])


def enable_amp(cfg: Config) -> bool:
    """Switch the optimizer wrapper to mixed precision when CUDA is there.

    bf16 where the GPU supports it, otherwise fp16 with a dynamic loss scale.
    Without CUDA this is a no-op with a warning.

    Args:
        cfg (Config): The config, changed in place.

    Returns:
        bool: Whether AMP was enabled.
    """
    if not torch.cuda.is_available():
        print_log('--amp ignored: mixed precision needs CUDA; training in '
                  'fp32 on the CPU.', logger='current', level=logging.WARNING)
        return False
    wrapper = cfg.optim_wrapper
    if wrapper.get('type', 'OptimWrapper') == 'AmpOptimWrapper':
        print_log('AMP is already enabled in the config.', logger='current',
                  level=logging.WARNING)
        return True
    if wrapper.get('type', 'OptimWrapper') != 'OptimWrapper':
        raise ValueError('--amp needs optim_wrapper.type=OptimWrapper, got '
                         f'{wrapper.type}')
    wrapper.type = 'AmpOptimWrapper'
    if torch.cuda.is_bf16_supported():
        wrapper.dtype = 'bfloat16'
    else:
        wrapper.dtype = 'float16'
        wrapper.loss_scale = 'dynamic'
    return True


def set_resume(cfg: Config, resume: Optional[str]) -> None:
    """Apply ``--resume [CKPT]``.

    Args:
        cfg (Config): The config, changed in place.
        resume (str, optional): ``None`` (no resume), ``'auto'`` (the latest
            checkpoint in the work dir, through ``last_checkpoint``) or a
            checkpoint path.
    """
    if resume is None:
        return
    cfg.resume = True
    if resume != 'auto':
        if not osp.isfile(resume):
            raise FileNotFoundError(
                f'--resume: checkpoint not found: {resume}')
        cfg.load_from = resume


def enable_tta(cfg: Config) -> None:
    """Test with ``tta_pipeline`` and ``tta_model`` wrapping the model."""
    for key in ('tta_pipeline', 'tta_model'):
        if key not in cfg:
            raise KeyError(f'--tta needs `{key}` in the config')
    cfg.test_dataloader.dataset.pipeline = cfg.tta_pipeline
    cfg.tta_model.module = cfg.model
    cfg.model = cfg.tta_model


def enable_visualization(cfg: Config, show_dir: str) -> None:
    """Draw predictions of the test set into ``show_dir``."""
    hook = cfg.default_hooks.get('visualization')
    if hook is None:
        raise KeyError('--show-dir needs default_hooks.visualization')
    hook['draw'] = True
    hook['interval'] = 1  # every test image, not every 50th batch
    cfg.visualizer['save_dir'] = show_dir


def enable_mask_output(cfg: Config, out_dir: str) -> None:
    """Have every ``VesselMetric`` of ``test_evaluator`` (one metric or a
    list) write the predicted masks to ``out_dir`` (``tools/test.py
    --out``)."""
    evaluator = cfg.test_evaluator
    metrics = evaluator if isinstance(evaluator, list) else [evaluator]
    vessel = [m for m in metrics if m.get('type') == 'VesselMetric']
    if not vessel:
        raise KeyError('--out needs a VesselMetric in test_evaluator, got '
                       f'{[m.get("type") for m in metrics]}')
    for metric in vessel:
        metric['output_dir'] = out_dir


def build_runner(cfg: Config) -> Runner:
    """Build ``cfg.runner_type`` from mmseg's registry, else mmengine's."""
    if 'runner_type' in cfg:
        return RUNNERS.build(cfg)
    return Runner.from_cfg(cfg)
