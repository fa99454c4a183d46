"""Test-only hook: slows training down after the first epoch.

The kill-and-resume test registers it through ``custom_imports``
(``tests.test_tools.iter_delay_hook``) so that a run is reliably still
training when the test kills it after its first checkpoint.
"""
import time

from mmengine.hooks import Hook
from mmseg.registry import HOOKS


@HOOKS.register_module()
class IterDelayHook(Hook):
    """Sleep ``seconds`` after every training iteration past epoch 1.

    Args:
        seconds (float): Sleep per iteration. Defaults to 1.
    """

    def __init__(self, seconds: float = 1.0) -> None:
        self.seconds = seconds

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        if runner.epoch >= 1:
            time.sleep(self.seconds)
