import os
import os.path as osp
import signal
import threading
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.dist import all_reduce, barrier, get_rank, get_world_size
from mmengine.hooks import CheckpointHook, Hook
from mmseg.registry import HOOKS

from ..worker_signals import guard_workers

#: Exit code of a run stopped by a signal after writing its checkpoint
#: (``EX_TEMPFAIL`` of sysexits.h: try again, i.e. ``--resume``).
PREEMPTED_EXIT_CODE = 75
#: Environment variable naming a file the stopped ranks write the exit code
#: into, for launchers that replace their workers' codes (torchrun reports 1).
EXIT_CODE_FILE_ENV = 'SETR_FUNDUS_EXIT_CODE_FILE'


class TrainingPreempted(Exception):
    """Training stopped by a signal after saving a resumable checkpoint.

    Args:
        message (str): What stopped, and where the checkpoint is.
        checkpoint (str, optional): The checkpoint written (None on the
            ranks that do not save).
        exit_code (int): Exit code for the process.
            Defaults to :data:`PREEMPTED_EXIT_CODE`.
    """

    def __init__(self,
                 message: str,
                 checkpoint: Optional[str] = None,
                 exit_code: int = PREEMPTED_EXIT_CODE) -> None:
        super().__init__(message)
        self.checkpoint = checkpoint
        self.exit_code = exit_code


@HOOKS.register_module()
class PreemptionHook(Hook):
    """Stop training cleanly on SIGTERM, SIGINT or SIGUSR1 (Slurm
    preemption, time limits, ``kill``, Ctrl-C), sent to the main process
    alone or to its whole process group.

    The signal handler only records the signal. After the current training
    iteration (with gradient accumulation: after the next optimizer step),
    or at the end of a validation pass during training, the ranks agree by
    an all-reduce whether any of them received one, so a signal that reaches
    a single rank stops all of them at the same iteration. Then rank 0
    writes a resumable checkpoint ``filename_tmpl.format(iteration)`` through
    ``runner.save_checkpoint`` (atomic with
    :class:`~setr_fundus.engine.runner.FundusRunner`) into the checkpoint
    hook's directory, points ``last_checkpoint`` at it (replaced in one
    rename), all ranks wait for that and raise :class:`TrainingPreempted`;
    ``tools/train.py`` exits with :data:`PREEMPTED_EXIT_CODE`. ``--resume``
    continues from that iteration (see
    :class:`~setr_fundus.engine.runner.FundusEpochBasedTrainLoop`).

    The signals reach the DataLoader workers too when they are sent to the
    process group (Slurm, Ctrl-C, torchrun); the workers of the training
    and validation loaders ignore them
    (:class:`~setr_fundus.engine.worker_signals.IgnoreStopSignals` as their
    ``worker_init_fn``), and the main thread blocks them from the start of
    each epoch to its first iteration, so that workers forked then inherit
    them blocked until ``worker_init_fn`` (the main process still gets it:
    in another thread, or when the mask is lifted). Loops that start their
    workers before ``before_train`` (mmengine's ``IterBasedTrainLoop``) are
    not covered.

    Further signals while the run is stopping are ignored: SIGKILL (or
    SIGQUIT, Ctrl-\\) ends a run at once. Handlers are installed in
    ``before_train`` from the main thread only, and restored when training
    ends; after a stop in a distributed run the signals are ignored until
    the process exits, so the launcher's SIGTERM to the ranks still exiting
    cannot kill them during interpreter shutdown.

    Args:
        signals (Sequence[str]): Signal names to handle.
            Defaults to ``('SIGTERM', 'SIGINT', 'SIGUSR1')``.
        filename_tmpl (str): Checkpoint name, formatted with the number of
            trained iterations. Defaults to ``'model_iter_{}.pth'``.
        exit_code (int): Exit code of a stopped run.
            Defaults to :data:`PREEMPTED_EXIT_CODE`.
    """

    priority = 'LOWEST'  # after logging, schedulers and periodic saving

    def __init__(self,
                 signals: Sequence[str] = ('SIGTERM', 'SIGINT',
                                           'SIGUSR1'),
                 filename_tmpl: str = 'model_iter_{}.pth',
                 exit_code: int = PREEMPTED_EXIT_CODE) -> None:
        unknown = [name for name in signals if not hasattr(signal, name)]
        if unknown:
            raise ValueError(f'PreemptionHook: unknown signals {unknown}; '
                             'use names such as SIGTERM, SIGINT, SIGUSR1')
        self.signals = [getattr(signal, name) for name in signals]
        self.filename_tmpl = filename_tmpl
        self.exit_code = exit_code
        self.received: List[int] = []
        self._previous: Dict[int, object] = {}
        self._owner_pid = os.getpid()
        self._training = False
        self._stopped = False

    def _handle(self, signum: int, frame) -> None:
        if os.getpid() != self._owner_pid:  # a forked data-loader worker
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        self.received.append(signum)

    def before_train(self, runner) -> None:
        """Install the signal handlers; let the loaders' workers ignore
        the signals."""
        self._training = True
        if threading.current_thread() is not threading.main_thread():
            runner.logger.warning('PreemptionHook: training does not run in '
                                  'the main thread; signals stop it at once')
            return
        self._owner_pid = os.getpid()
        for signum in self.signals:
            self._previous[signum] = signal.signal(signum, self._handle)
        loops = (runner.train_loop, runner.val_loop)
        guard_workers([loop.dataloader for loop in loops if loop is not None],
                      self.signals)

    def before_train_epoch(self, runner) -> None:
        """Block the signals while the epoch's workers may be forked."""
        self._block()

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch=None) -> None:
        """Unblock the signals: the workers have started."""
        self._unblock()

    def after_train_epoch(self, runner) -> None:
        """Unblock the signals (an epoch a resume had finished)."""
        self._unblock()

    def before_val_epoch(self, runner) -> None:
        """Block the signals while the validation workers may be forked."""
        self._block()

    def before_val_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        """Unblock the signals: the workers have started."""
        self._unblock()

    def after_train(self, runner) -> None:
        """Restore the signal handlers of before training."""
        self._training = False
        self._restore()

    def after_run(self, runner) -> None:
        """Restore the handlers after a stopped run too, except in a
        distributed one, whose ranks ignore the signals from then on: its
        launcher signals the ranks still exiting when the first one has
        exited, and neither the default action nor Python's own handler
        (which interpreter shutdown resets to the default) may turn their
        exit code into a kill."""
        if self._stopped and get_world_size() > 1:
            for signum in self._previous:
                signal.signal(signum, signal.SIG_IGN)
            self._previous = {}
        self._restore()

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        """Stop after this iteration if a rank received a signal."""
        should_update = getattr(runner.optim_wrapper, 'should_update', None)
        if should_update is not None and not should_update():
            return  # in the middle of a gradient accumulation
        if self._agreed_stop():
            iteration = runner.iter + 1
            self._stop(runner, runner.epoch, iteration,
                       f'after iteration {iteration} (epoch '
                       f'{runner.epoch + 1})')

    def after_val_epoch(self, runner, metrics=None) -> None:
        """Stop after a validation pass of training if a rank received a
        signal (the epoch before it is complete)."""
        self._unblock()
        if self._training and self._agreed_stop():
            self._stop(runner, runner.epoch, runner.iter,
                       f'after the validation of epoch {runner.epoch}')

    def _block(self) -> None:
        if self._previous:  # the handlers are installed
            signal.pthread_sigmask(signal.SIG_BLOCK, self.signals)

    def _unblock(self) -> None:
        if self._previous:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, self.signals)

    def _restore(self) -> None:
        self._unblock()
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous = {}

    def _agreed_stop(self) -> bool:
        """Whether any rank received a signal (every rank must ask)."""
        flag = torch.tensor([float(bool(self.received))])
        if get_world_size() > 1:
            all_reduce(flag, op='max')
        return bool(flag.item() > 0)

    def _stop(self, runner, epoch: int, iteration: int, when: str) -> None:
        """Save (rank 0), wait for every rank and raise.

        Args:
            runner (Runner): The runner.
            epoch (int): Completed epochs, for the checkpoint's meta.
            iteration (int): Completed iterations, for its meta and name.
            when (str): Where training stopped, for the message.
        """
        names = ', '.join(
            sorted({signal.Signals(s).name for s in self.received})
        ) or 'a signal on another rank'
        self._stopped = True
        checkpoint = None
        if get_rank() == 0:
            checkpoint = self._save(runner, epoch, iteration)
            _write_exit_code(self.exit_code)
        barrier()  # nobody exits before the checkpoint is complete
        where = (f'saved {checkpoint}' if checkpoint else
                 'rank 0 saved the checkpoint')
        message = (f'Training stopped by {names} {when}: {where}. Continue '
                   f'with tools/train.py CONFIG --work-dir '
                   f'{runner.work_dir} --resume.')
        runner.logger.warning(message)
        raise TrainingPreempted(message, checkpoint, self.exit_code)

    def _save(self, runner, epoch: int, iteration: int) -> str:
        """Write the checkpoint and ``last_checkpoint``; return its path."""
        ckpt_hook = next(
            (h for h in runner.hooks if isinstance(h, CheckpointHook)), None)
        out_dir = getattr(ckpt_hook, 'out_dir', None) or runner.work_dir
        filename = self.filename_tmpl.format(iteration)
        runner.save_checkpoint(
            out_dir,
            filename,
            meta=dict(epoch=epoch, iter=iteration),
            backend_args=getattr(ckpt_hook, 'backend_args', None))
        path = osp.join(out_dir, filename)
        last = osp.join(runner.work_dir, 'last_checkpoint')
        tmp = f'{last}.{os.getpid()}.tmp'
        with open(tmp, 'w') as f:
            f.write(path)
        os.replace(tmp, last)
        return path


def _write_exit_code(code: int) -> None:
    """Write ``code`` to the file named by :data:`EXIT_CODE_FILE_ENV`."""
    path = os.environ.get(EXIT_CODE_FILE_ENV)
    if path:
        with open(path, 'w') as f:
            f.write(f'{code}\n')
