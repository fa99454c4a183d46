"""Test-only hook: every rank saves its model's state dict.

Registered by the tests through ``custom_imports``
(``tests.test_tools.rank_dump_hook``, with the repository root on
``PYTHONPATH``).
"""
import os.path as osp

import torch
import torch.distributed as torch_dist
from mmengine.dist import get_rank, get_world_size
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmseg.registry import HOOKS


@HOOKS.register_module()
class RankDumpHook(Hook):
    """Save ``rank{R}_init.pth`` before and ``rank{R}.pth`` after training
    into the work dir.

    Each file holds ``state_dict`` (the unwrapped model's), ``parameters``
    (the names of its parameters, as opposed to buffers), ``trainable``
    (those with ``requires_grad``), ``world_size`` and ``backend`` (the
    process group's, or None without one).
    """

    def _dump(self, runner, name: str) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        backend = (
            torch_dist.get_backend() if torch_dist.is_initialized() else None)
        torch.save(
            dict(
                state_dict={
                    k: v.detach().clone()
                    for k, v in model.state_dict().items()
                },
                parameters=[n for n, _ in model.named_parameters()],
                trainable=[
                    n for n, p in model.named_parameters() if p.requires_grad
                ],
                world_size=get_world_size(),
                backend=backend), osp.join(runner.work_dir, name))

    def before_train(self, runner) -> None:
        self._dump(runner, f'rank{get_rank()}_init.pth')

    def after_train(self, runner) -> None:
        self._dump(runner, f'rank{get_rank()}.pth')
