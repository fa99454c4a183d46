"""Test-only hook: makes the decode head's output NaN in one iteration.

Registered through ``custom_imports`` (``tests.test_tools.nan_inject_hook``)
by the NaN-guard test: the weights before that iteration are finite, its
loss is NaN, as when a batch or an overflow makes training diverge.
"""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmseg.registry import HOOKS


@HOOKS.register_module()
class NaNInjectHook(Hook):
    """Multiply the decode head's classifier output by NaN in iteration
    ``at_iter``.

    Args:
        at_iter (int): 1-based training iteration whose loss becomes NaN.
    """

    def __init__(self, at_iter: int) -> None:
        self.at_iter = at_iter
        self._handle = None

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        if runner.iter + 1 == self.at_iter:
            model = runner.model.module if is_model_wrapper(
                runner.model) else runner.model
            self._handle = model.decode_head.conv_seg.register_forward_hook(
                lambda module, inputs, output: output * float('nan'))

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        if self._handle is not None:
            self._handle.remove()
            self._handle = None
