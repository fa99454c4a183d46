"""Two tools/train.py runs into one work dir: the second is refused while
the first lives, takes over once the first was killed, and --resume of the
finished run starts as usual."""
import os
import signal
import socket
import subprocess
import time

from .tool_utils import (REPO_ROOT, TINY_CONFIG, derived_config, run_command,
                         tool_env, train_command)

START_TIMEOUT = 120


def _train(config, work_dir, drive_root, *extra):
    return run_command(train_command(config, work_dir, drive_root, *extra))


def test_second_run_is_refused_then_takes_over(drive_root, tmp_path):
    config = derived_config(tmp_path, TINY_CONFIG,
                            [dict(type='IterDelayHook', seconds=3.0)])
    work_dir = tmp_path / 'work'
    lock = work_dir / 'train.lock'
    first = subprocess.Popen(
        train_command(config, work_dir, drive_root),
        cwd=REPO_ROOT,
        env=tool_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not (work_dir / 'model_epoch_1.pth').is_file():
            assert first.poll() is None, f'exited with {first.returncode}'
            assert time.monotonic() < deadline, 'no checkpoint in time'
            time.sleep(0.05)
        log_dirs = {p for p in work_dir.iterdir() if p.is_dir()}

        second = _train(TINY_CONFIG, work_dir, drive_root)
        assert second.returncode == 1, second.stdout[-6000:]
        assert (f'WorkDirBusyError: {work_dir} is in use by another training '
                f'run: pid {first.pid} on host {socket.gethostname()}') \
            in second.stdout, second.stdout[-6000:]
        assert f'tools/train.py {config}' in second.stdout  # its command
        # refused before its runner made a log dir; the first still runs
        assert {p for p in work_dir.iterdir() if p.is_dir()} == log_dirs
        assert first.poll() is None
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()

    third = _train(TINY_CONFIG, work_dir, drive_root, '--resume')
    assert third.returncode == 0, third.stdout[-6000:]
    assert ('taking over the work dir from a run that no longer runs '
            f'(pid {first.pid} on host {socket.gethostname()}') in third.stdout
    assert lock.read_text() == ''

    fourth = _train(TINY_CONFIG, work_dir, drive_root, '--resume')
    assert fourth.returncode == 0, fourth.stdout[-6000:]
    assert 'taking over' not in fourth.stdout
    assert lock.read_text() == ''
