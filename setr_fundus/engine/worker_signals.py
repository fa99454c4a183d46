"""DataLoader workers that leave the stop signals to the main process.

A signal sent to a training's whole process group (Slurm at a time limit
or preemption, Ctrl-C in a terminal, torchrun passing a signal on to a
rank) also reaches its DataLoader workers. torch's workers die of SIGTERM
(their C handler re-raises it unless the main process sent it), and the
main process then fails with ``DataLoader worker ... is killed by signal``
before it can save anything. With :class:`IgnoreStopSignals` as their
``worker_init_fn`` the workers ignore the stop signals; the main process
decides, and ends them as torch always does (SIGTERM from the parent still
ends a worker, with exit code 0 as torch's own handler does).

Workers are forked with the signal mask of the forking thread: a main
process that blocks the signals while its workers start keeps a signal
that arrives between the fork and ``worker_init_fn`` pending (then
dropped) instead of killing the worker
(:class:`~setr_fundus.engine.hooks.PreemptionHook` does).
"""
import os
import signal
import threading
from typing import Callable, Iterable, Optional, Sequence

from torch.utils.data import DataLoader


class IgnoreStopSignals:
    """``worker_init_fn`` that makes a DataLoader worker ignore ``signals``
    (SIGTERM: except from its parent), then runs the loader's previous
    ``worker_init_fn``.

    Args:
        signals (Sequence[int]): Signal numbers the main process handles.
        init_fn (Callable, optional): The loader's previous
            ``worker_init_fn`` (mmengine's seeding). Defaults to None.
    """

    def __init__(self,
                 signals: Sequence[int],
                 init_fn: Optional[Callable[[int], None]] = None) -> None:
        self.signals = tuple(signals)
        self.init_fn = init_fn

    def __call__(self, worker_id: int) -> None:
        others = set(self.signals) - {signal.SIGTERM}
        for signum in others:
            signal.signal(signum, signal.SIG_IGN)  # drops one pending
        if signal.SIGTERM in self.signals:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
            threading.Thread(
                target=_exit_on_sigterm_from_parent,
                name='sigterm_from_parent',
                daemon=True).start()
        signal.pthread_sigmask(signal.SIG_UNBLOCK, others)
        if self.init_fn is not None:
            self.init_fn(worker_id)


def _exit_on_sigterm_from_parent() -> None:
    """Wait for SIGTERM (blocked in every thread of the worker); exit at
    once when the parent sent it, as torch's worker handler does: the
    DataLoader ends a worker that does not stop in time, and Python's
    multiprocessing ends its daemon processes at exit, with SIGTERM."""
    parent = os.getppid()
    while True:
        if signal.sigwaitinfo({signal.SIGTERM}).si_pid == parent:
            os._exit(0)


def guard_workers(loaders: Iterable[DataLoader],
                  signals: Sequence[int]) -> None:
    """Let the workers of ``loaders`` ignore ``signals`` from their next
    start on (a loader already guarded is left as it is).

    Args:
        loaders (Iterable[DataLoader]): Loaders whose workers have not
            started yet (persistent workers start once).
        signals (Sequence[int]): Signal numbers the main process handles.
    """
    for loader in loaders:
        if not isinstance(loader.worker_init_fn, IgnoreStopSignals):
            loader.worker_init_fn = IgnoreStopSignals(signals,
                                                      loader.worker_init_fn)
