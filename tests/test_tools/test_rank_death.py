"""A rank of a 2-process gloo run killed in the middle of an epoch: the job
ends non-zero in bounded time naming the rank, every checkpoint loads, and
--resume continues from the last one."""
import os
import signal
import subprocess
import time

from setr_fundus.utils import load_trusted_checkpoint
from .tool_utils import (REPO_ROOT, TINY_CONFIG, data_options, derived_config,
                         kill_ranks, latest_scalars, run_tool, tool_env)

# 3 training images x 3 over 2 ranks at batch 2: 3 iterations an epoch;
# iteration 4 is the first of epoch 2, after model_epoch_1.pth
OPTIONS = ['train_dataloader.dataset.times=3', 'train_cfg.max_epochs=2']
ITERS, KILL_AT = 6, 4
START_TIMEOUT = 120
END_TIMEOUT = 90  # the bound on the job's end after the kill


def test_killed_rank_ends_the_job(drive_root, tmp_path):
    config = derived_config(tmp_path, TINY_CONFIG,
                            [dict(type='PauseHook', at_iter=KILL_AT)])
    work_dir = tmp_path / 'work'
    proc = subprocess.Popen([
        'bash', 'tools/dist_train.sh',
        str(config), '2', '--work-dir',
        str(work_dir), '--cfg-options', *OPTIONS, *data_options(drive_root)
    ],
                            cwd=REPO_ROOT,
                            env=tool_env(),
                            stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT,
                            text=True,
                            start_new_session=True)
    markers = [work_dir / f'paused_rank{rank}.pid' for rank in (0, 1)]
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while not all(marker.is_file() for marker in markers):
            assert proc.poll() is None, proc.stdout.read()[-6000:]
            assert time.monotonic() < deadline, 'no pause in time'
            time.sleep(0.05)
        survivor = int(markers[0].read_text())
        os.kill(int(markers[1].read_text()), signal.SIGKILL)
        output, _ = proc.communicate(timeout=END_TIMEOUT)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            kill_ranks(work_dir)
    assert proc.returncode not in (0, 75), output[-6000:]
    # torchrun's report names the dead rank as the root cause
    root_cause = output.split('Root Cause')[-1]
    assert 'rank      : 1 (local_rank: 1)' in root_cause, output[-6000:]
    assert 'Signal 9 (SIGKILL)' in root_cause
    try:
        os.kill(survivor, 0)
        raise AssertionError(f'rank 0 (pid {survivor}) still runs')
    except ProcessLookupError:
        pass
    # what is on disk loads, and last_checkpoint names the epoch-1 file
    for path in work_dir.glob('*.pth'):
        assert 'state_dict' in load_trusted_checkpoint(str(path))
    assert not list(work_dir.glob('*.tmp'))
    last = (work_dir / 'last_checkpoint').read_text().strip()
    assert last == str(work_dir / 'model_epoch_1.pth')

    resumed = run_tool([
        'tools/dist_train.sh', TINY_CONFIG, 2, '--work-dir', work_dir,
        '--resume', '--cfg-options', *OPTIONS, *data_options(drive_root)
    ],
                       timeout=180,
                       tool='bash')
    assert f'Load checkpoint from {last}' in resumed
    final = load_trusted_checkpoint(str(work_dir / 'final_model.pth'))
    assert final['meta']['iter'] == ITERS
    trained = [
        r['iter'] for r in latest_scalars(work_dir) if 'train/loss' in r
    ]
    assert trained == list(range(KILL_AT, ITERS + 1))
