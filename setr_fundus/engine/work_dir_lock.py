"""One training run per work dir: a lock file held for the life of a run."""
import errno
import fcntl
import json
import logging
import os
import os.path as osp
import shlex
import socket
import sys
import time
from typing import Optional

from mmengine.logging import print_log

#: Name of the lock file in the work dir.
LOCK_FILENAME = 'train.lock'
#: Rank variables of the launchers of ``tools/train.py --launcher``.
RANK_VARIABLES = dict(
    pytorch='RANK', slurm='SLURM_PROCID', mpi='OMPI_COMM_WORLD_RANK')
_NO_FLOCK = (errno.ENOLCK, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP)


class WorkDirBusyError(RuntimeError):
    """Another live training run holds the work dir."""


def launcher_rank(launcher: str) -> int:
    """Global rank of this process before the process group exists.

    Args:
        launcher (str): ``tools/train.py --launcher``: 'none', 'pytorch',
            'slurm' or 'mpi'.

    Returns:
        int: The rank its launcher set (0 for 'none').
    """
    if launcher == 'none':
        return 0
    return int(os.environ.get(RANK_VARIABLES[launcher], '0'))


class WorkDirLock:
    """Hold ``<work_dir>/train.lock`` while a training run uses the dir.

    The file is locked with ``flock``, which the kernel releases when the
    process ends however it ends, and holds the holder's pid, host,
    command, start time and Slurm job. A second run finds the lock taken
    and raises :class:`WorkDirBusyError` naming the holder; a run that
    finds the file unlocked but not empty (its holder was killed) takes it
    over with a warning. A clean release empties the file.

    Where the file system has no ``flock`` (some Lustre mounts), the
    recorded holder decides instead: on this host, whether its pid is
    alive; on another host the dir counts as busy until the file is
    deleted.

    Use one lock per job, on global rank 0 (see :func:`launcher_rank`).

    Args:
        work_dir (str): The work dir (created if missing).
        filename (str): Lock file name. Defaults to :data:`LOCK_FILENAME`.
    """

    def __init__(self, work_dir: str, filename: str = LOCK_FILENAME) -> None:
        self.path = osp.join(work_dir, filename)
        self._fd: Optional[int] = None

    def __enter__(self) -> 'WorkDirLock':
        self.acquire()
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()

    def acquire(self) -> None:
        """Take the lock or raise :class:`WorkDirBusyError`."""
        os.makedirs(osp.dirname(self.path) or '.', exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            previous = self._lock(fd)
        except BaseException:
            os.close(fd)
            raise
        if previous:
            print_log(
                f'{self.path}: taking over the work dir from a run that no '
                f'longer runs ({_describe(previous)})',
                logger='current',
                level=logging.WARNING)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(_holder()).encode(), 0)
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        """Empty the file and unlock it."""
        if self._fd is None:
            return
        os.ftruncate(self._fd, 0)
        os.close(self._fd)  # closing releases the flock
        self._fd = None

    def _lock(self, fd: int) -> Optional[dict]:
        """Lock ``fd``; return the record of a dead holder, if any."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WorkDirBusyError(self._busy(_read(fd))) from None
        except OSError as err:
            if err.errno not in _NO_FLOCK:
                raise
            previous = _read(fd)
            if previous and _may_be_alive(previous):
                raise WorkDirBusyError(
                    self._busy(previous) + ' (file locks are not supported '
                    f'here: if that run has ended, delete {self.path})'
                ) from None
            return previous
        return _read(fd)

    def _busy(self, holder: Optional[dict]) -> str:
        work_dir = osp.dirname(self.path)
        who = _describe(holder) if holder else 'a process that is starting'
        return (f'{work_dir} is in use by another training run: {who}. '
                'Wait for it to finish, stop it, or train into another '
                '--work-dir.')


def _holder() -> dict:
    """This process, as recorded in the lock file."""
    record = dict(
        pid=os.getpid(),
        host=socket.gethostname(),
        command=' '.join(shlex.quote(a) for a in [sys.executable, *sys.argv]),
        started=time.strftime('%Y-%m-%d %H:%M:%S'))
    if 'SLURM_JOB_ID' in os.environ:
        record['slurm_job'] = os.environ['SLURM_JOB_ID']
    return record


def _read(fd: int) -> Optional[dict]:
    size = os.fstat(fd).st_size
    text = os.pread(fd, size, 0).decode(errors='replace') if size else ''
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return dict(pid='?', host='?', command=text.strip()[:200])


def _describe(holder: dict) -> str:
    job = f', Slurm job {holder["slurm_job"]}' if 'slurm_job' in holder \
        else ''
    return (f'pid {holder.get("pid")} on host {holder.get("host")}{job}, '
            f'started {holder.get("started", "?")}, command: '
            f'{holder.get("command")}')


def _may_be_alive(holder: dict) -> bool:
    """Whether the recorded holder may still run (without ``flock``)."""
    if holder.get('host') != socket.gethostname():
        return True
    try:
        os.kill(int(holder.get('pid')), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, TypeError, ValueError):
        return True
    return True
