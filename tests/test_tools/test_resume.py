"""Kill-and-resume: a run killed hard after its first checkpoint resumes
with ``--resume`` (latest checkpoint) or ``--resume PATH`` and finishes
with the iteration count of an uninterrupted run, losing nothing."""
import hashlib
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Dict

from setr_fundus.utils import load_trusted_checkpoint
from .tool_utils import (REPO_ROOT, TINY_CONFIG, TINY_ITERS_PER_EPOCH,
                         data_options, derived_config, latest_scalars,
                         run_tool, tool_env, train_command)

START_TIMEOUT = 120  # s until the first checkpoint


def _digests(work_dir: Path) -> Dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in work_dir.glob('*.pth')
    }


def _final_iter(work_dir: Path) -> int:
    final = load_trusted_checkpoint(str(work_dir / 'final_model.pth'))
    return final['meta']['iter']


def _train_iters(records: list) -> list:
    return [r['iter'] for r in records if 'train/loss' in r]


def _start_and_kill(config: Path, work_dir: Path, drive_root: Path) -> None:
    """Start tools/train.py, SIGKILL its process group once the epoch-1
    checkpoint is complete (``last_checkpoint`` written)."""
    proc = subprocess.Popen(
        train_command(config, work_dir, drive_root),
        cwd=REPO_ROOT,
        env=tool_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True)
    last = work_dir / 'last_checkpoint'
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while not (last.is_file() and last.read_text().strip()):
            assert proc.poll() is None, (
                f'training exited with {proc.returncode} before its first '
                'checkpoint')
            assert time.monotonic() < deadline, 'no checkpoint in time'
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert not (work_dir / 'final_model.pth').exists(), (
        'the run finished before it was killed')


def test_resume_latest_after_sigkill(trained_run, drive_root, tmp_path):
    expected_iters = _final_iter(trained_run)
    # the IterDelayHook keeps the run busy in epochs 2+ so the kill lands
    # mid-training
    config = derived_config(tmp_path, TINY_CONFIG,
                            [dict(type='IterDelayHook', seconds=1.0)])
    work_dir = tmp_path / 'work'
    _start_and_kill(config, work_dir, drive_root)
    before = _digests(work_dir)
    assert 'model_epoch_1.pth' in before
    resumed_from = Path((work_dir / 'last_checkpoint').read_text().strip())
    start_iter = load_trusted_checkpoint(str(resumed_from))['meta']['iter']
    assert start_iter >= TINY_ITERS_PER_EPOCH

    output = run_tool([
        'tools/train.py', TINY_CONFIG, '--work-dir', work_dir, '--resume',
        '--cfg-options', *data_options(drive_root)
    ])
    assert f'Load checkpoint from {resumed_from}' in output
    assert _final_iter(work_dir) == expected_iters
    # the resumed run continued after the checkpoint's iteration
    assert _train_iters(latest_scalars(work_dir)) == list(
        range(start_iter + 1, expected_iters + 1))
    # nothing written before the kill is lost or corrupted; periodic
    # checkpoints are unchanged (best_model.pth may improve)
    after = _digests(work_dir)
    assert set(before) <= set(after)
    for name, digest in before.items():
        if name.startswith('model_epoch_'):
            assert after[name] == digest, f'{name} changed'
    for name in after:
        assert 'state_dict' in load_trusted_checkpoint(str(work_dir / name))


def test_resume_from_explicit_path(trained_run, drive_root, tmp_path):
    checkpoint = trained_run / 'model_epoch_1.pth'
    digest = hashlib.sha256(checkpoint.read_bytes()).hexdigest()
    work_dir = tmp_path / 'work'
    output = run_tool([
        'tools/train.py', TINY_CONFIG, '--work-dir', work_dir, '--resume',
        checkpoint, '--cfg-options', *data_options(drive_root)
    ])
    assert f'Load checkpoint from {checkpoint}' in output
    assert _final_iter(work_dir) == _final_iter(trained_run)
    assert _train_iters(latest_scalars(work_dir)) == list(
        range(TINY_ITERS_PER_EPOCH + 1,
              _final_iter(trained_run) + 1))
    assert hashlib.sha256(checkpoint.read_bytes()).hexdigest() == digest
