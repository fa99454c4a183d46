import math
import os.path as osp
from typing import Dict, List, Optional

import torch
from mmengine.dist import all_gather, get_rank, get_world_size
from mmengine.hooks import Hook
from mmseg.registry import HOOKS


class NonFiniteLossError(FloatingPointError):
    """A training loss became NaN or infinite."""


class NonFiniteWeightsError(FloatingPointError):
    """A checkpoint about to be saved holds NaN or infinite values."""


@HOOKS.register_module()
class NaNGuardHook(Hook):
    """Stop training at the first NaN or infinite loss; never save
    non-finite weights.

    After every training iteration the loss terms (the ``loss*`` entries
    of the model's outputs) are checked on every rank and the ranks agree,
    so all of them stop at the same iteration with
    :class:`NonFiniteLossError` naming the iteration, the epoch, the batch,
    the non-finite terms and the rank. It runs before the other hooks of
    the iteration, so no checkpoint of the weights that step produced is
    written, and ``best_model.pth`` keeps the last finite best.

    It stops rather than skips the step: when the loss is seen, the
    optimizer has already applied the non-finite gradients (and AdamW's
    moments hold them for good), so only a check before the update could
    skip it, and under DDP all ranks would have to agree on it before the
    gradient all-reduce. A run that diverges once usually diverges again;
    it resumes from the last checkpoint with a lower learning rate or
    ``optim_wrapper.clip_grad``. (fp16 AMP's loss scaler already skips
    steps whose gradients overflow; those losses stay finite.)

    Independently of the loss, every checkpoint saved through
    ``runner.save_checkpoint`` (periodic, best, final, preemption) is
    checked and refused with :class:`NonFiniteWeightsError` if a floating
    tensor of its state dict is not finite; the file it would replace stays
    as it was.
    """

    priority = 'VERY_HIGH'  # before logging, saving and PreemptionHook

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs: Optional[Dict] = None) -> None:
        """Raise :class:`NonFiniteLossError` if a rank's loss is not
        finite."""
        bad = _non_finite_terms(outputs or {})
        if get_world_size() > 1:
            flags = all_gather(torch.tensor([float(bool(bad))]))
            ranks = [rank for rank, flag in enumerate(flags) if flag.item()]
        else:
            ranks = [0] if bad else []
        if not ranks:
            return
        if bad:
            terms = ', '.join(f'{key}={value}' for key, value in bad.items())
            found = f'{terms} on rank {get_rank()}'
        else:
            found = (f'on rank(s) {ranks} (their logs name the loss terms; '
                     f'rank {get_rank()} stops with them)')
        raise NonFiniteLossError(
            f'Non-finite loss at iteration {runner.iter + 1} (epoch '
            f'{runner.epoch + 1}, batch {batch_idx + 1}): {found}. Training '
            f'stopped before saving these weights. {_resume_hint(runner)}')

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Refuse to save a checkpoint holding non-finite values."""
        bad = _non_finite_tensors(checkpoint.get('state_dict', {}))
        if bad:
            shown = ', '.join(bad[:5]) + (', ...' if len(bad) > 5 else '')
            raise NonFiniteWeightsError(
                f'Refusing to save a checkpoint at iteration {runner.iter}: '
                f'{len(bad)} tensors hold NaN or Inf ({shown}); the files '
                f'on disk are unchanged. {_resume_hint(runner)}')


def _non_finite_terms(outputs: Dict) -> Dict[str, float]:
    """Loss terms of ``outputs`` that are NaN or infinite."""
    bad = {}
    for key, value in outputs.items():
        if 'loss' not in key:
            continue
        value = float(value.detach().sum()) if torch.is_tensor(value) \
            else float(value)
        if not math.isfinite(value):
            bad[key] = value
    return bad


def _non_finite_tensors(state_dict: Dict) -> List[str]:
    """Names of the floating tensors of ``state_dict`` with NaN or Inf."""
    return [
        name for name, value in state_dict.items()
        if torch.is_tensor(value) and value.is_floating_point()
        and not bool(torch.isfinite(value).all())
    ]


def _resume_hint(runner) -> str:
    last = osp.join(runner.work_dir, 'last_checkpoint')
    if not osp.isfile(last):
        return 'No checkpoint was written before.'
    with open(last) as f:
        path = f.read().strip()
    return (f'--resume continues from {path}; lower the learning rate or '
            'set optim_wrapper.clip_grad first.')
