"""A signal in the middle of training: tools/train.py (and
tools/dist_train.sh) finish the iteration (or the validation), write a
resumable checkpoint, exit with 75, and --resume continues from the next
batch with the data order of an uninterrupted run.

Most tests signal the whole process group, as Slurm (time limit,
preemption) and a terminal's Ctrl-C do, with DataLoader workers (persistent
for training, not for validation) that receive the signal too."""
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import pytest

from setr_fundus.utils import load_trusted_checkpoint
from .tool_utils import (REPO_ROOT, TINY_CONFIG, data_options, derived_config,
                         kill_ranks, latest_scalars, run_tool, tool_env)

# 3 training images x 3 = 9 samples: 5 iterations an epoch at batch 2
# (3 per rank with 2 ranks), 2 epochs
OPTIONS = [
    'train_dataloader.dataset.times=3', 'train_cfg.max_epochs=2',
    'train_dataloader.num_workers=2',
    'train_dataloader.persistent_workers=True', 'val_dataloader.num_workers=2'
]
ITERS, STOP_AT = 10, 7  # iteration 7 is the 2nd of epoch 2
DIST_ITERS, DIST_STOP_AT = 6, 4  # iteration 4 is the 1st of epoch 2
TIMEOUT = 120  # s until a marker
END_TIMEOUT = 180  # s from the last signal to the end of the run


def _command(config: Path, work_dir: Path, drive_root: Path, *extra: str,
             processes: int = 1) -> List[str]:
    args = [str(config), '--work-dir', str(work_dir), *extra]
    options = ['--cfg-options', *OPTIONS, *data_options(drive_root)]
    if processes == 1:
        return [sys.executable, 'tools/train.py', *args, *options]
    return ['bash', 'tools/dist_train.sh', args[0], str(processes),
            *args[1:], *options]


def _run_signalled(command: List[str],
                   steps: Sequence[Tuple[Path, int]],
                   group: bool = True) -> subprocess.CompletedProcess:
    """Run ``command`` in a session of its own; for each ``(marker,
    signum)`` in turn, once a rank has written ``marker`` (its pid), send
    ``signum`` to the command's process group (``group``) or to that rank
    alone; return the finished process."""
    # torchrun waits that long for its signalled ranks on a loaded machine
    env = dict(tool_env(), TORCH_ELASTIC_SHUTDOWN_TIMEOUT=str(END_TIMEOUT))
    proc = subprocess.Popen(command, cwd=REPO_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    try:
        for marker, signum in steps:
            deadline = time.monotonic() + TIMEOUT
            while not marker.is_file():
                assert proc.poll() is None, proc.stdout.read()[-6000:]
                assert time.monotonic() < deadline, f'no {marker.name}'
                time.sleep(0.05)
            if group:
                os.killpg(proc.pid, signum)
            else:
                os.kill(int(marker.read_text()), signum)
        output, _ = proc.communicate(timeout=END_TIMEOUT)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            kill_ranks(steps[0][0].parent)
    return subprocess.CompletedProcess(command, proc.returncode, output)


def _batches(work_dir: Path) -> Dict[int, list]:
    lines = (work_dir / 'batches_rank0.jsonl').read_text().splitlines()
    return {r['iter']: r['images'] for r in map(json.loads, lines)}


def _assert_stopped_at(work_dir: Path, iteration: int, epoch: int,
                       output: str, by: str = 'SIGTERM',
                       when: str = '') -> Path:
    """Check the stop message (by ``by``, maybe with other signals
    after it), the checkpoint of ``iteration`` (no older than the last
    logged iteration) and ``last_checkpoint``."""
    checkpoint = work_dir / f'model_iter_{iteration}.pth'
    when = when or f'after iteration {iteration}'
    message = f'Training stopped by {by}(, SIG[A-Z0-9]+)* {when}'
    assert re.search(message, output), output[-6000:]
    meta = load_trusted_checkpoint(str(checkpoint))['meta']
    assert (meta['epoch'], meta['iter']) == (epoch, iteration)
    logged = [r['iter'] for r in latest_scalars(work_dir) if 'train/loss' in r]
    assert max(logged) <= iteration
    assert (work_dir / 'last_checkpoint').read_text() == str(checkpoint)
    assert not (work_dir / 'final_model.pth').exists()
    assert not [p for p in work_dir.iterdir() if p.name.endswith('.tmp')]
    return checkpoint


def _assert_resumed(work_dir: Path, output: str, checkpoint: Path,
                    iters: int) -> None:
    """Check that ``--resume`` loaded ``checkpoint`` and trained the
    iterations after it up to ``iters``."""
    assert f'Load checkpoint from {checkpoint}' in output
    final = load_trusted_checkpoint(str(work_dir / 'final_model.pth'))
    assert final['meta']['iter'] == iters
    done = load_trusted_checkpoint(str(checkpoint))['meta']['iter']
    trained = [
        r['iter'] for r in latest_scalars(work_dir) if 'train/loss' in r
    ]
    assert trained == list(range(done + 1, iters + 1))


def test_sigterm_mid_epoch_then_resume(drive_root, tmp_path):
    record = derived_config(tmp_path, TINY_CONFIG,
                            [dict(type='BatchRecordHook')])
    reference = tmp_path / 'reference'
    run_tool(_command(record, reference, drive_root)[1:])

    paused = tmp_path / 'paused'
    paused.mkdir()
    config = derived_config(paused, TINY_CONFIG, [
        dict(type='BatchRecordHook'),
        dict(type='SignalWaitHook', point='train_iter', at=STOP_AT)
    ])
    work_dir = tmp_path / 'work'
    stopped = _run_signalled(
        _command(config, work_dir, drive_root),
        [(work_dir / 'paused_rank0.pid', signal.SIGTERM)])
    assert stopped.returncode == 75, stopped.stdout[-6000:]
    checkpoint = _assert_stopped_at(work_dir, STOP_AT, 1, stopped.stdout)
    assert 'DataLoader worker' not in stopped.stdout

    output = run_tool(_command(record, work_dir, drive_root, '--resume')[1:])
    assert 'skipping the 2 batches trained before iteration 7' in output
    _assert_resumed(work_dir, output, checkpoint, ITERS)
    # the same images in the same order, iteration by iteration
    assert _batches(work_dir) == _batches(reference)
    assert sorted(_batches(work_dir)) == list(range(1, ITERS + 1))


# (signal, where the run waits for it, iteration and epoch of the
# checkpoint, the stop message, whether to resume); iteration 5 ends epoch
# 1, its checkpoint (the first save) and its validation follow. Resuming
# inside an epoch is tested above, at an epoch's end here once.
VAL_STOP = 'after the validation of epoch 1'
MOMENTS = [
    pytest.param('SIGINT', [dict(point='train_iter', at=3)], 3, 0, '', False,
                 id='sigint-mid-epoch'),
    pytest.param('SIGUSR1', [dict(point='train_iter', at=3)], 3, 0, '',
                 False, id='sigusr1-mid-epoch'),
    pytest.param('SIGTERM', [dict(point='val_iter', at=1)], 5, 1, VAL_STOP,
                 True, id='sigterm-mid-validation'),
    pytest.param('SIGINT', [dict(point='save', at=1)], 5, 1, VAL_STOP, False,
                 id='sigint-mid-save'),
    # Ctrl-C twice: the second one while the stop writes its checkpoint
    pytest.param('SIGINT', [
        dict(point='train_iter', at=3),
        dict(point='save', at=1, count=2, name='saving')
    ], 3, 0, '', False, id='second-sigint-while-saving'),
]


@pytest.mark.parametrize('name,waits,iteration,epoch,when,resume', MOMENTS)
def test_group_signal_stops(drive_root, tmp_path, name, waits, iteration,
                            epoch, when, resume):
    signum = getattr(signal, name)
    config = derived_config(tmp_path, TINY_CONFIG, [
        dict(type='SignalWaitHook', **wait) for wait in waits])
    work_dir = tmp_path / 'work'
    steps = [(work_dir / f'{wait.get("name", "paused")}_rank0.pid', signum)
             for wait in waits]
    stopped = _run_signalled(_command(config, work_dir, drive_root), steps)
    assert stopped.returncode == 75, stopped.stdout[-6000:]
    checkpoint = _assert_stopped_at(work_dir, iteration, epoch,
                                    stopped.stdout, name, when)
    assert 'DataLoader worker' not in stopped.stdout
    if resume:
        output = run_tool(
            _command(TINY_CONFIG, work_dir, drive_root, '--resume')[1:])
        _assert_resumed(work_dir, output, checkpoint, ITERS)


def test_sigterm_to_one_rank_stops_both(drive_root, tmp_path):
    config = derived_config(tmp_path, TINY_CONFIG,
                            [dict(type='PauseHook', at_iter=DIST_STOP_AT)])
    work_dir = tmp_path / 'work'
    # only rank 1 is signalled: the ranks agree to stop at one iteration
    stopped = _run_signalled(
        _command(config, work_dir, drive_root, processes=2),
        [(work_dir / 'paused_rank1.pid', signal.SIGTERM)],
        group=False)
    assert stopped.returncode == 75, stopped.stdout[-6000:]
    # rank 0 logs: it saved without receiving the signal itself
    checkpoint = _assert_stopped_at(work_dir, DIST_STOP_AT, 1, stopped.stdout,
                                    'a signal on another rank')
    assert 'exitcode  : 75' in stopped.stdout
    assert 'exitcode  : -' not in stopped.stdout  # no rank was killed

    output = run_tool(
        _command(TINY_CONFIG, work_dir, drive_root, '--resume',
                 processes=2)[1:],
        timeout=TIMEOUT,
        tool='bash')
    _assert_resumed(work_dir, output, checkpoint, DIST_ITERS)


# torchrun passes SIGTERM and SIGINT on to every rank (and its workers);
# it gets a group's signal twice (also from tools/dist_train.sh), and when
# the second one interrupts its shutdown it sends the ranks SIGTERM, maybe
# instead of SIGINT. tools/dist_train.sh turns SIGUSR1 into SIGTERM.
DIST_MOMENTS = [
    pytest.param('SIGTERM', 'SIGTERM', dict(point='train_iter', at=4), 4, 1,
                 '', id='sigterm-mid-epoch'),
    pytest.param('SIGINT', '(SIGINT|SIGTERM)', dict(point='val_iter', at=1),
                 3, 1, VAL_STOP, id='sigint-mid-validation'),
    pytest.param('SIGUSR1', 'SIGTERM', dict(point='save', at=1), 3, 1,
                 VAL_STOP, id='sigusr1-mid-save'),
]


@pytest.mark.parametrize('name,received,wait,iteration,epoch,when',
                         DIST_MOMENTS)
def test_group_signal_stops_dist_train(drive_root, tmp_path, name, received,
                                       wait, iteration, epoch, when):
    config = derived_config(tmp_path, TINY_CONFIG,
                            [dict(type='SignalWaitHook', **wait)])
    work_dir = tmp_path / 'work'
    stopped = _run_signalled(
        _command(config, work_dir, drive_root, processes=2),
        [(work_dir / 'paused_rank0.pid', getattr(signal, name))])
    assert stopped.returncode == 75, stopped.stdout[-6000:]
    checkpoint = _assert_stopped_at(work_dir, iteration, epoch,
                                    stopped.stdout, received, when)
    assert 'DataLoader worker' not in stopped.stdout
    assert 'exitcode  : -' not in stopped.stdout  # no rank was killed

    output = run_tool(
        _command(TINY_CONFIG, work_dir, drive_root, '--resume',
                 processes=2)[1:],
        timeout=TIMEOUT,
        tool='bash')
    _assert_resumed(work_dir, output, checkpoint, DIST_ITERS)
