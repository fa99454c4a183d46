"""SIGTERM in the middle of an epoch: tools/train.py (and
tools/dist_train.sh) finish the iteration, write a resumable checkpoint,
exit with 75, and --resume continues from the next batch with the data
order of an uninterrupted run."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

from setr_fundus.utils import load_trusted_checkpoint
from .tool_utils import (REPO_ROOT, TINY_CONFIG, data_options, derived_config,
                         kill_ranks, latest_scalars, run_tool, tool_env)

# 3 training images x 3 = 9 samples: 5 iterations an epoch at batch 2
# (3 per rank with 2 ranks), 2 epochs
OPTIONS = ['train_dataloader.dataset.times=3', 'train_cfg.max_epochs=2']
ITERS, STOP_AT = 10, 7  # iteration 7 is the 2nd of epoch 2
DIST_ITERS, DIST_STOP_AT = 6, 4  # iteration 4 is the 1st of epoch 2
TIMEOUT = 120  # s until the pause
END_TIMEOUT = 60  # s from the signal to the end of the run


def _command(config: Path, work_dir: Path, drive_root: Path, *extra: str,
             processes: int = 1) -> List[str]:
    args = [str(config), '--work-dir', str(work_dir), *extra]
    options = ['--cfg-options', *OPTIONS, *data_options(drive_root)]
    if processes == 1:
        return [sys.executable, 'tools/train.py', *args, *options]
    return ['bash', 'tools/dist_train.sh', args[0], str(processes),
            *args[1:], *options]


def _signal_when_paused(command: List[str], marker: Path,
                        signum: int) -> subprocess.CompletedProcess:
    """Run ``command``; when a rank has written ``marker`` (its pid), send
    it ``signum``; return the finished process."""
    proc = subprocess.Popen(command, cwd=REPO_ROOT, env=tool_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    deadline = time.monotonic() + TIMEOUT
    try:
        while not marker.is_file():
            assert proc.poll() is None, proc.stdout.read()[-6000:]
            assert time.monotonic() < deadline, 'no pause in time'
            time.sleep(0.05)
        os.kill(int(marker.read_text()), signum)
        output, _ = proc.communicate(timeout=END_TIMEOUT)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            kill_ranks(marker.parent)
    return subprocess.CompletedProcess(command, proc.returncode, output)


def _batches(work_dir: Path) -> Dict[int, list]:
    lines = (work_dir / 'batches_rank0.jsonl').read_text().splitlines()
    return {r['iter']: r['images'] for r in map(json.loads, lines)}


def _assert_stopped_at(work_dir: Path, iteration: int, epoch: int,
                       output: str, by: str = 'SIGTERM') -> Path:
    checkpoint = work_dir / f'model_iter_{iteration}.pth'
    assert f'Training stopped by {by} after iteration {iteration}' \
        in output, output[-6000:]
    meta = load_trusted_checkpoint(str(checkpoint))['meta']
    assert (meta['epoch'], meta['iter']) == (epoch, iteration)
    assert (work_dir / 'last_checkpoint').read_text() == str(checkpoint)
    assert not (work_dir / 'final_model.pth').exists()
    assert not [p for p in work_dir.iterdir() if p.name.endswith('.tmp')]
    return checkpoint


def test_sigterm_mid_epoch_then_resume(drive_root, tmp_path):
    record = derived_config(tmp_path, TINY_CONFIG,
                            [dict(type='BatchRecordHook')])
    reference = tmp_path / 'reference'
    run_tool(_command(record, reference, drive_root)[1:])

    paused = tmp_path / 'paused'
    paused.mkdir()
    config = derived_config(paused, TINY_CONFIG, [
        dict(type='BatchRecordHook'),
        dict(type='PauseHook', at_iter=STOP_AT)
    ])
    work_dir = tmp_path / 'work'
    stopped = _signal_when_paused(
        _command(config, work_dir, drive_root), work_dir / 'paused_rank0.pid',
        signal.SIGTERM)
    assert stopped.returncode == 75, stopped.stdout[-6000:]
    checkpoint = _assert_stopped_at(work_dir, STOP_AT, 1, stopped.stdout)

    output = run_tool(_command(record, work_dir, drive_root, '--resume')[1:])
    assert f'Load checkpoint from {checkpoint}' in output
    assert 'skipping the 2 batches trained before iteration 7' in output
    final = load_trusted_checkpoint(str(work_dir / 'final_model.pth'))
    assert final['meta']['iter'] == ITERS
    trained = [
        r['iter'] for r in latest_scalars(work_dir) if 'train/loss' in r
    ]
    assert trained == list(range(STOP_AT + 1, ITERS + 1))
    # the same images in the same order, iteration by iteration
    assert _batches(work_dir) == _batches(reference)
    assert sorted(_batches(work_dir)) == list(range(1, ITERS + 1))


def test_sigterm_to_one_rank_stops_both(drive_root, tmp_path):
    config = derived_config(tmp_path, TINY_CONFIG,
                            [dict(type='PauseHook', at_iter=DIST_STOP_AT)])
    work_dir = tmp_path / 'work'
    # only rank 1 is signalled: the ranks agree to stop at one iteration
    stopped = _signal_when_paused(
        _command(config, work_dir, drive_root, processes=2),
        work_dir / 'paused_rank1.pid', signal.SIGTERM)
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
    assert f'Load checkpoint from {checkpoint}' in output
    final = load_trusted_checkpoint(str(work_dir / 'final_model.pth'))
    assert final['meta']['iter'] == DIST_ITERS
