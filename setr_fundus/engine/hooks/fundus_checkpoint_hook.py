import os.path as osp
from typing import Any, Dict, Optional

import numpy as np
from mmengine.hooks import CheckpointHook
from mmseg.registry import HOOKS

from setr_fundus.utils import load_trusted_checkpoint

# meta entry marking a checkpoint as a weights file (state dict + meta)
WEIGHTS_FILE = 'weights_file'
_RULES = {'greater': lambda a, b: a > b, 'less': lambda a, b: a < b}


@HOOKS.register_module()
class FundusCheckpointHook(CheckpointHook):
    """:class:`CheckpointHook` writing the seed project's file names.

    Periodic checkpoints keep mmengine's behaviour (name them with
    ``filename_tmpl='model_epoch_{}.pth'``; ``last_checkpoint`` still points
    at the newest one for ``--resume``). mmengine's own best-checkpoint
    saving is not used; instead:

    - after each validation, the weights are written to one fixed file,
      ``best_model.pth``, when ``save_best``'s metric improved, replaced in a
      single rename (with :class:`FundusRunner`);
    - after training the final weights go to ``final_model.pth``;
    - on resume, the best score is restored from ``best_model.pth``
      (periodic checkpoints are written before that epoch's validation, so
      theirs can be stale) and a worse model never replaces the best one.

    Best and final files are written with ``runner.save_checkpoint`` (no
    optimizer or scheduler state) and are weights files: ``{'meta': ...,
    'state_dict': ...}`` with nothing but plain Python values and tensors,
    so ``torch.load(path)`` with torch's default ``weights_only=True``,
    ``mmseg.apis.init_model``, ``MMSegInferencer`` and mmseg's own
    ``tools/test.py`` read them. The message hub that mmengine adds to every
    checkpoint (logged history, numpy scalars), which only resuming needs,
    is dropped in :meth:`before_save_checkpoint` from checkpoints whose
    meta marks them as weights files.

    Args:
        save_best (str, optional): The validation metric choosing
            ``best_model.pth`` (e.g. ``'Dice'``). Defaults to None (no best
            file).
        rule (str): ``'greater'`` or ``'less'``: which scores are better.
            Defaults to ``'greater'``.
        best_filename (str): Name of the best checkpoint.
            Defaults to ``'best_model.pth'``.
        final_filename (str): Name of the final checkpoint.
            Defaults to ``'final_model.pth'``.
        **kwargs: As :class:`mmengine.hooks.CheckpointHook` (periodic
            checkpoints).
    """

    def __init__(self,
                 save_best: Optional[str] = None,
                 rule: str = 'greater',
                 best_filename: str = 'best_model.pth',
                 final_filename: str = 'final_model.pth',
                 **kwargs) -> None:
        if save_best is not None and not isinstance(save_best, str):
            raise ValueError('FundusCheckpointHook: save_best must name one '
                             f'metric, got {save_best!r}')
        if rule not in _RULES:
            raise ValueError("FundusCheckpointHook: rule must be 'greater' "
                             f"or 'less', got {rule!r}")
        super().__init__(**kwargs)
        self.best_key = save_best
        self.best_rule = rule
        self.best_filename = best_filename
        self.final_filename = final_filename

    def before_train(self, runner) -> None:
        """Restore the best score of a resumed run from its best file."""
        super().before_train(runner)
        best_path = osp.join(self.out_dir, self.best_filename)
        if not (self.best_key and runner.iter > 0 and osp.isfile(best_path)):
            return
        saved = load_trusted_checkpoint(best_path)['meta'].get('best_score')
        current = runner.message_hub.get_info('best_score')
        if saved is not None and (current is None or _RULES[self.best_rule](
                saved, current)):
            runner.message_hub.update_info('best_score', saved)

    def after_val_epoch(self, runner, metrics: Dict[str, float]) -> None:
        """Write ``best_model.pth`` when ``save_best``'s metric improved.

        Args:
            runner (Runner): The runner.
            metrics (dict): The validation metrics.
        """
        super().after_val_epoch(runner, metrics)
        if not self.best_key:
            return
        if self.best_key not in metrics:
            raise KeyError(f'FundusCheckpointHook: save_best='
                           f'{self.best_key!r} is not among the validation '
                           f'metrics {list(metrics)}')
        score = metrics[self.best_key]
        best = runner.message_hub.get_info('best_score')
        if best is not None and not _RULES[self.best_rule](score, best):
            return
        runner.message_hub.update_info('best_score', score)
        self._save_weights(runner, self.best_filename, best_score=score)
        path = osp.join(self.out_dir, self.best_filename)
        runner.message_hub.update_info('best_ckpt', path)
        runner.logger.info(f'Best {self.best_key} {score:.4f} at epoch '
                           f'{runner.epoch}, iter {runner.iter}: saved {path}')

    def after_train(self, runner) -> None:
        """Save ``final_model.pth``, then publish as mmengine does."""
        self._save_weights(runner, self.final_filename)
        runner.logger.info('Final weights saved to ' +
                           osp.join(self.out_dir, self.final_filename))
        super().after_train(runner)

    def _save_weights(self, runner, filename: str, **meta) -> None:
        runner.save_checkpoint(
            self.out_dir,
            filename=filename,
            save_optimizer=False,
            save_param_scheduler=False,
            meta={
                WEIGHTS_FILE: True,
                'epoch': runner.epoch,
                'iter': runner.iter,
                **meta
            },
            by_epoch=False,
            backend_args=self.backend_args)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Reduce a checkpoint marked as a weights file to its state dict
        and plain meta (see the class docstring).

        Args:
            runner (Runner): The runner.
            checkpoint (dict): The checkpoint about to be saved, changed in
                place.
        """
        if not checkpoint.get('meta', {}).pop(WEIGHTS_FILE, False):
            return
        meta = _plain(checkpoint['meta'])
        state_dict = checkpoint['state_dict']
        checkpoint.clear()
        checkpoint.update(meta=meta, state_dict=state_dict)


def _plain(value: Any) -> Any:
    """``value`` with numpy scalars and arrays turned into Python values."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(item) for item in value)
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    return value
