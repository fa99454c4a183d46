"""A NaN loss in the middle of tools/train.py: the run stops with a message
naming the iteration and the loss terms, and every file on disk holds the
finite weights of before."""
import torch

from setr_fundus.utils import load_trusted_checkpoint
from .tool_utils import TINY_CONFIG, derived_config, run_command, train_command

NAN_AT = 4  # the 2nd (last) iteration of epoch 2, before its checkpoint


def test_nan_loss_stops_training(drive_root, tmp_path):
    config = derived_config(tmp_path, TINY_CONFIG,
                            [dict(type='NaNInjectHook', at_iter=NAN_AT)])
    work_dir = tmp_path / 'work'
    proc = run_command(train_command(config, work_dir, drive_root))
    output = proc.stdout
    assert proc.returncode == 1, output[-6000:]
    assert (f'NonFiniteLossError: Non-finite loss at iteration {NAN_AT} '
            '(epoch 2, batch 2): ') in output, output[-6000:]
    assert 'decode.loss_ce=nan' in output
    assert f'--resume continues from {work_dir / "model_epoch_1.pth"}' \
        in output
    names = {p.name for p in work_dir.glob('*.pth')}
    assert names == {'model_epoch_1.pth', 'best_model.pth'}
    best = load_trusted_checkpoint(str(work_dir / 'best_model.pth'))
    assert best['meta']['iter'] == 2  # epoch 1's, never replaced
    for name in names:
        state = load_trusted_checkpoint(str(work_dir / name))['state_dict']
        assert all(
            bool(torch.isfinite(v).all()) for v in state.values()
            if v.is_floating_point()), name
