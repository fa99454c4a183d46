import argparse
import os
import os.path as osp

import numpy as np
import pytest
import torch

from setr_fundus.utils import load_trusted_checkpoint
from tests.test_engine.toy_runner import ToyScheduledDice, toy_runner


def _train(work_dir, max_epochs=2, **kwargs):
    ToyScheduledDice.scores = [50.0, 70.0, 60.0, 65.0][:max_epochs]
    runner = toy_runner(str(work_dir), max_epochs=max_epochs, **kwargs)
    runner.train()
    return runner


def test_runner_checkpoint_needs_trusted_loading(tmp_path):
    _train(tmp_path)
    ckpt = tmp_path / 'model_epoch_1.pth'
    with pytest.raises(Exception, match='[Ww]eights only load failed'):
        torch.load(ckpt, weights_only=True)
    loaded = load_trusted_checkpoint(str(ckpt))
    assert {'state_dict', 'optimizer', 'message_hub'} <= set(loaded)


def test_resume_from_runner_checkpoint(tmp_path):
    _train(tmp_path, max_epochs=2)
    ToyScheduledDice.scores = [10.0, 10.0]
    resumed = toy_runner(
        str(tmp_path), max_epochs=4, resume=True,
        load_from=str(tmp_path / 'model_epoch_2.pth'))
    resumed.train()
    assert resumed.epoch == 4 and resumed.iter == 8
    assert resumed.message_hub.get_info('best_score') == 70.0


def test_load_from_checkpoint_with_namespace_and_numpy(tmp_path):
    runner = toy_runner(str(tmp_path))
    state = {k: torch.ones_like(v) for k, v in
             runner.model.state_dict().items()}
    path = tmp_path / 'foreign.pth'
    torch.save(dict(state_dict=state, args=argparse.Namespace(lr=1e-3),
                    epoch=np.int64(7)), path)
    ckpt = runner.load_checkpoint(str(path))
    assert ckpt['epoch'] == 7 and ckpt['args'].lr == 1e-3
    assert torch.equal(runner.model.linear.weight, torch.ones(1, 2))


def test_save_is_atomic(tmp_path, monkeypatch):
    runner = _train(tmp_path, max_epochs=1)
    target = tmp_path / 'final_model.pth'
    before = target.read_bytes()

    def crash(checkpoint, filename, **kwargs):
        with open(filename, 'wb') as f:
            f.write(b'half a checkpoint')
        raise OSError('disk full')

    monkeypatch.setattr('mmengine.runner.runner.save_checkpoint', crash)
    with pytest.raises(OSError, match='disk full'):
        runner.save_checkpoint(str(tmp_path), 'final_model.pth')
    assert target.read_bytes() == before
    assert not [f for f in os.listdir(tmp_path) if f.endswith('.tmp')]


def test_seed_checkpoint_files(tmp_path):
    ToyScheduledDice.scores = [50.0, 70.0, 60.0]
    runner = toy_runner(str(tmp_path), max_epochs=3)
    runner.train()
    files = set(os.listdir(tmp_path))
    assert {'model_epoch_1.pth', 'model_epoch_2.pth', 'model_epoch_3.pth',
            'best_model.pth', 'final_model.pth', 'last_checkpoint'} <= files
    best = load_trusted_checkpoint(str(tmp_path / 'best_model.pth'))
    assert best['meta']['epoch'] == 2 and 'optimizer' not in best
    final = load_trusted_checkpoint(str(tmp_path / 'final_model.pth'))
    assert final['meta']['epoch'] == 3
    with open(tmp_path / 'last_checkpoint') as f:
        assert osp.basename(f.read().strip()) == 'model_epoch_3.pth'


def test_checkpoint_hook_rejects_several_metrics():
    from setr_fundus.engine import FundusCheckpointHook
    with pytest.raises(ValueError, match='one metric'):
        FundusCheckpointHook(save_best=['Dice', 'IoU'], rule='greater')


def test_a_checkpoint_of_another_shape_is_an_error_naming_it(tmp_path):
    runner = toy_runner(str(tmp_path))
    path = tmp_path / 'other_config.pth'
    torch.save(dict(state_dict={'linear.weight': torch.ones(1, 3),
                                'linear.bias': torch.ones(1)}), path)
    with pytest.raises(ValueError, match=r'other_config\.pth does not fit'
                       r'.*linear\.weight is \(1, 3\).*\(1, 2\)'):
        runner.load_checkpoint(str(path))
    assert not torch.equal(runner.model.linear.bias, torch.ones(1))
