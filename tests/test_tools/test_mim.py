"""``mim train`` / ``mim test`` run the plugin's tools from any directory
(after ``mim install -e .`` or ``bash tools/setup_env.sh``). mim finds the
tools through the installed package alone: no ``PYTHONPATH`` here, which
would make a repository checkout look installed."""
import os
import subprocess

import torch

from .tool_utils import TINY_CONFIG, data_options


def _mim(args, cwd) -> str:
    env = dict(os.environ, OMP_NUM_THREADS='1')
    env.pop('PYTHONPATH', None)
    proc = subprocess.run(['mim', *map(str, args)],
                          cwd=cwd,
                          env=env,
                          stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT,
                          text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:]
    return proc.stdout


def test_mim_train_then_test_from_another_directory(drive_root, tmp_path):
    cwd = tmp_path / 'elsewhere'
    cwd.mkdir()
    work_dir = tmp_path / 'work'
    _mim([
        'train', 'setr_fundus', TINY_CONFIG, '--work-dir', work_dir,
        '--cfg-options', 'train_cfg.max_epochs=1', *data_options(drive_root)
    ], cwd)
    best = work_dir / 'best_model.pth'
    assert set(torch.load(best, weights_only=True)) == {'meta', 'state_dict'}
    output = _mim([
        'test', 'setr_fundus', TINY_CONFIG, '--checkpoint', best,
        '--work-dir', tmp_path / 'test', '--cfg-options',
        *data_options(drive_root)
    ], cwd)
    assert 'test/Dice' in output and 'test/clDice' in output
    assert not os.listdir(cwd)
