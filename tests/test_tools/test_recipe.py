"""The config file is the recipe: mmseg's own ``tools/train.py`` and ours
hand mmengine's Runner the same config for every file in ``configs/``
(model, loaders with their pipelines, loops, optimizer, schedule, hooks,
evaluators: the whole config)."""
import os.path as osp
import runpy
import sys
from typing import List

import mmseg
import pytest
from mmengine.config import Config
from mmengine.runner import Runner
from mmseg.registry import RUNNERS

from ..test_configs import CONFIGS
from .tool_utils import REPO_ROOT

MMSEG_TRAIN = osp.join(osp.dirname(mmseg.__file__), '.mim', 'tools',
                       'train.py')
OUR_TRAIN = str(REPO_ROOT / 'tools' / 'train.py')


class RunnerReached(Exception):
    """Raised instead of building the Runner, carrying its config."""

    def __init__(self, cfg: Config) -> None:
        super().__init__('runner reached')
        self.cfg = cfg


def config_handed_to_runner(script: str, argv: List[str],
                            monkeypatch) -> dict:
    """Run a train script up to the Runner's construction; return the
    config it would build the Runner from."""

    def reach(cfg, *args, **kwargs):
        raise RunnerReached(cfg)

    monkeypatch.setattr(RUNNERS, 'build', reach)
    monkeypatch.setattr(Runner, 'from_cfg', reach)
    monkeypatch.setattr(sys, 'argv', [script, *argv])
    with pytest.raises(RunnerReached) as reached:
        runpy.run_path(script, run_name='__main__')
    return reached.value.cfg.to_dict()


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_mmseg_train_and_ours_run_the_same_recipe(path, tmp_path,
                                                  monkeypatch):
    argv = [path, '--work-dir', str(tmp_path)]
    theirs = config_handed_to_runner(MMSEG_TRAIN, argv, monkeypatch)
    ours = config_handed_to_runner(OUR_TRAIN, argv, monkeypatch)
    assert ours == theirs
    assert ours['train_dataloader'] == Config.fromfile(
        path).train_dataloader.to_dict()


def test_cfg_options_mean_what_they_mean_in_mmengine(tmp_path, monkeypatch):
    """An option sets the key it names and nothing else, with both tools:
    a top-level ``crop_size`` does not reach the pipelines."""
    path = osp.join(REPO_ROOT, 'configs', 'quickstart_drive.py')
    argv = [
        path, '--work-dir',
        str(tmp_path), '--cfg-options', 'crop_size=64',
        'test_dataloader.dataset.data_root=elsewhere'
    ]
    theirs = config_handed_to_runner(MMSEG_TRAIN, argv, monkeypatch)
    ours = config_handed_to_runner(OUR_TRAIN, argv, monkeypatch)
    assert ours == theirs
    assert ours['crop_size'] == 64
    crop = ours['train_dataloader']['dataset']['dataset']['pipeline'][4]
    assert crop == dict(type='RandomCrop', crop_size=(128, 128))
    assert ours['test_dataloader']['dataset']['data_root'] == 'elsewhere'
    assert ours['val_dataloader']['dataset']['data_root'] == 'data/DRIVE'


def test_data_root_option_sets_the_three_loaders_and_says_so(
        tmp_path, monkeypatch, capsys):
    path = osp.join(REPO_ROOT, 'configs', 'quickstart_drive.py')
    keys = [
        'train_dataloader.dataset.dataset.data_root',
        'val_dataloader.dataset.data_root',
        'test_dataloader.dataset.data_root'
    ]
    ours = config_handed_to_runner(
        OUR_TRAIN,
        [path, '--work-dir',
         str(tmp_path), '--data-root', 'data/CHASE_DB1'], monkeypatch)
    assert f'set {", ".join(keys)}' in capsys.readouterr().out
    theirs = config_handed_to_runner(MMSEG_TRAIN, [
        path, '--work-dir',
        str(tmp_path), '--cfg-options',
        *[f'{key}=data/CHASE_DB1' for key in keys]
    ], monkeypatch)
    assert ours == theirs
