"""WorkDirLock between processes: a live holder refuses, a dead one's
lock is taken over, a clean release leaves nothing to take over."""
import errno
import json
import logging
import os
import signal
import socket
import subprocess
import sys
from contextlib import contextmanager
from typing import Iterator, List

import pytest
from mmengine.logging import MMLogger

from setr_fundus.engine import (WorkDirBusyError, WorkDirLock, launcher_rank,
                                work_dir_lock)

HOLD = ('import sys, time\n'
        'from setr_fundus.engine import WorkDirLock\n'
        'with WorkDirLock(sys.argv[1]):\n'
        '    print("locked", flush=True)\n'
        '    time.sleep(60)\n')


@contextmanager
def logged_warnings() -> Iterator[List[str]]:
    """Warnings of mmengine's current logger, whose stream handler writes to
    the stdout of when it was made (not to pytest's capture)."""
    warnings: List[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: warnings.append(record.getMessage())
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    try:
        yield warnings
    finally:
        logger.removeHandler(handler)


@pytest.fixture
def holder(tmp_path):
    """A process holding the lock of ``tmp_path / 'work'``."""
    proc = subprocess.Popen([sys.executable, '-c', HOLD,
                             str(tmp_path / 'work')],
                            stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline().strip() == 'locked'
    yield proc
    proc.kill()
    proc.wait()


def test_live_holder_refuses(holder, tmp_path):
    with pytest.raises(WorkDirBusyError) as info:
        WorkDirLock(str(tmp_path / 'work')).acquire()
    message = str(info.value)
    assert f'pid {holder.pid} on host {socket.gethostname()}' in message
    assert f'command: {sys.executable} -c ' in message
    assert '--work-dir' in message


def test_dead_holder_is_taken_over(holder, tmp_path):
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with logged_warnings() as warnings:
        with WorkDirLock(str(tmp_path / 'work')) as lock:
            record = json.loads(open(lock.path).read())
            assert record['pid'] == os.getpid()
    assert any(
        f'taking over the work dir from a run that no longer runs '
        f'(pid {holder.pid}' in message for message in warnings), warnings
    assert open(lock.path).read() == ''


def test_clean_release_is_silent(tmp_path):
    with logged_warnings() as warnings:
        with WorkDirLock(str(tmp_path)):
            pass
        with WorkDirLock(str(tmp_path)):
            pass
    assert not warnings


def _no_flock(fd, operation):
    raise OSError(errno.ENOSYS, 'Function not implemented')


@pytest.mark.parametrize('host, alive, busy', [
    ('this', True, True),
    ('this', False, False),
    ('other-node', False, True),
])
def test_without_flock_the_record_decides(tmp_path, monkeypatch, host, alive,
                                          busy):
    monkeypatch.setattr(work_dir_lock.fcntl, 'flock', _no_flock)
    dead = subprocess.Popen([sys.executable, '-c', 'pass'])
    dead.wait()
    record = dict(
        pid=os.getpid() if alive else dead.pid,
        host=socket.gethostname() if host == 'this' else host,
        command='python tools/train.py')
    (tmp_path / 'train.lock').write_text(json.dumps(record))
    lock = WorkDirLock(str(tmp_path))
    if busy:
        with pytest.raises(WorkDirBusyError, match='delete .*train.lock'):
            lock.acquire()
    else:
        lock.acquire()
        lock.release()


def test_launcher_rank(monkeypatch):
    monkeypatch.setenv('RANK', '3')
    monkeypatch.setenv('SLURM_PROCID', '5')
    assert launcher_rank('none') == 0
    assert launcher_rank('pytorch') == 3
    assert launcher_rank('slurm') == 5
    monkeypatch.delenv('RANK')
    assert launcher_rank('pytorch') == 0


def test_busy_message_while_the_holder_starts(tmp_path):
    # locked, but the record not written yet
    path = tmp_path / 'train.lock'
    path.touch()
    script = ('import fcntl, sys, time; f = open(sys.argv[1]); '
              'fcntl.flock(f, fcntl.LOCK_EX); print(1, flush=True); '
              'time.sleep(60)')
    proc = subprocess.Popen([sys.executable, '-c', script, str(path)],
                            stdout=subprocess.PIPE)
    try:
        proc.stdout.readline()
        with pytest.raises(WorkDirBusyError, match='a process that is'):
            WorkDirLock(str(tmp_path)).acquire()
    finally:
        proc.kill()
        proc.wait()
