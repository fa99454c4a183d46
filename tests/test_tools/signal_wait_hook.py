"""Test-only hook: a rank waits at a given point of training until its
PreemptionHook has received a signal.

The group-signal tests register it through ``custom_imports``
(``tests.test_tools.signal_wait_hook``): the test waits for the marker
file, signals the process group, and the run goes on only once the signal
has arrived, so it stops at a known point however loaded the machine is.
"""
import os
import os.path as osp
import time

from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmseg.registry import HOOKS

from setr_fundus.engine import PreemptionHook

POINTS = ('train_iter', 'val_iter', 'save')


@HOOKS.register_module()
class SignalWaitHook(Hook):
    """At a point of training write ``{name}_rank{R}.pid`` (the pid) into
    the work dir, then wait until the run's PreemptionHook holds ``count``
    signals.

    Args:
        point (str): 'train_iter' (after training iteration ``at``),
            'val_iter' (after validation iteration ``at`` of the first
            validation) or 'save' (in the ``at``-th checkpoint save of this
            rank, before the file is written).
        at (int): 1-based number of the iteration or save.
        count (int): Signals to wait for. Defaults to 1.
        name (str): Marker name. Defaults to 'paused'.
        timeout (float): Longest wait in seconds; a rank that waited in
            vain says so on stdout and goes on. Defaults to 60.
    """

    def __init__(self,
                 point: str,
                 at: int,
                 count: int = 1,
                 name: str = 'paused',
                 timeout: float = 60.0) -> None:
        if point not in POINTS:
            raise ValueError(f'point must be one of {POINTS}, not {point!r}')
        self.point, self.at, self.count = point, at, count
        self.name, self.timeout = name, timeout
        self.seen = dict(val_iter=0, save=0)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        if self.point == 'train_iter' and runner.iter + 1 == self.at:
            self._wait(runner)

    def after_val_iter(self,
                       runner,
                       batch_idx: int,
                       data_batch=None,
                       outputs=None) -> None:
        self._count(runner, 'val_iter')

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        self._count(runner, 'save')

    def _count(self, runner, point: str) -> None:
        self.seen[point] += 1
        if self.point == point and self.seen[point] == self.at:
            self._wait(runner)

    def _wait(self, runner) -> None:
        preemption = next(
            h for h in runner.hooks if isinstance(h, PreemptionHook))
        marker = osp.join(runner.work_dir, f'{self.name}_rank{get_rank()}.pid')
        with open(f'{marker}.tmp', 'w') as f:
            f.write(str(os.getpid()))
        os.replace(f'{marker}.tmp', marker)
        deadline = time.monotonic() + self.timeout
        while len(preemption.received) < self.count:
            if time.monotonic() > deadline:
                print(f'SignalWaitHook: rank {get_rank()} received '
                      f'{len(preemption.received)} of {self.count} signals '
                      f'in {self.timeout} s at {self.point} {self.at}',
                      flush=True)
                return
            time.sleep(0.05)
