"""Test-only hook: every rank pauses after a given training iteration.

The fault tests register it through ``custom_imports``
(``tests.test_tools.pause_hook``) so that they can signal or kill a rank
at a known iteration in the middle of an epoch.
"""
import os
import os.path as osp
import time

from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmseg.registry import HOOKS


@HOOKS.register_module()
class PauseHook(Hook):
    """After iteration ``at_iter`` write ``paused_rank{R}.pid`` (the pid)
    into the work dir, then sleep ``seconds``.

    Args:
        at_iter (int): 1-based training iteration to pause after.
        seconds (float): Length of the pause. Defaults to 5.
    """

    def __init__(self, at_iter: int, seconds: float = 5.0) -> None:
        self.at_iter = at_iter
        self.seconds = seconds

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        if runner.iter + 1 != self.at_iter:
            return
        marker = osp.join(runner.work_dir, f'paused_rank{get_rank()}.pid')
        with open(f'{marker}.tmp', 'w') as f:
            f.write(str(os.getpid()))
        os.replace(f'{marker}.tmp', marker)
        time.sleep(self.seconds)
