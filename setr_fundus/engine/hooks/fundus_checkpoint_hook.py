import os.path as osp
from typing import Any, Dict, Optional

import numpy as np
from mmengine.hooks import CheckpointHook
from mmseg.registry import HOOKS

from setr_fundus.utils import load_trusted_checkpoint


@HOOKS.register_module()
class FundusCheckpointHook(CheckpointHook):
    """:class:`CheckpointHook` writing the seed project's file names.

    Periodic checkpoints keep mmengine's behaviour (name them with
    ``filename_tmpl='model_epoch_{}.pth'``; ``last_checkpoint`` still points
    at the newest one for ``--resume``). On top of that:

    - the best weights by ``save_best`` go to one fixed file,
      ``best_model.pth``, replaced in a single rename (with
      :class:`FundusRunner`) instead of deleted and rewritten;
    - after training the final weights go to ``final_model.pth``;
    - on resume, the best score is restored from ``best_model.pth`` (periodic
      checkpoints are written before that epoch's validation, so theirs can
      be stale) and a worse model never replaces the best one.

    Best and final files are weights files: ``{'meta': ..., 'state_dict':
    ...}`` with nothing but plain Python values and tensors, so
    ``torch.load(path)`` with torch's default ``weights_only=True``,
    ``mmseg.apis.init_model``, ``MMSegInferencer`` and mmseg's own
    ``tools/test.py`` read them. The message hub, optimizer and scheduler
    states (which only resuming needs) stay in the periodic checkpoints.

    Args:
        best_filename (str): Name of the best checkpoint.
            Defaults to ``'best_model.pth'``.
        final_filename (str): Name of the final checkpoint.
            Defaults to ``'final_model.pth'``.
        **kwargs: As :class:`mmengine.hooks.CheckpointHook`; ``save_best``
            must name a single metric (e.g. ``'Dice'``) if given.
    """

    def __init__(self,
                 best_filename: str = 'best_model.pth',
                 final_filename: str = 'final_model.pth',
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if self.save_best and len(self.key_indicators) != 1:
            raise ValueError(
                f'FundusCheckpointHook: save_best must name one metric, '
                f'got {kwargs.get("save_best")}')
        self.best_filename = best_filename
        self.final_filename = final_filename
        self._saving_weights = False

    def before_train(self, runner) -> None:
        """Restore the best score of a resumed run from its best file."""
        super().before_train(runner)
        best_path = osp.join(self.out_dir, self.best_filename)
        if not (self.save_best and runner.iter > 0 and osp.isfile(best_path)):
            return
        saved = load_trusted_checkpoint(best_path)['meta'].get('best_score')
        key = self.key_indicators[0]
        current = runner.message_hub.get_info('best_score')
        if saved is None or key not in self.is_better_than:
            return
        if current is None or self.is_better_than[key](saved, current):
            runner.message_hub.update_info('best_score', saved)

    def _save_weights(self, runner, filename: str, **meta) -> None:
        """Save a weights file (see :meth:`before_save_checkpoint`)."""
        self._saving_weights = True
        try:
            runner.save_checkpoint(
                self.out_dir,
                filename=filename,
                save_optimizer=False,
                save_param_scheduler=False,
                meta=dict(epoch=runner.epoch, iter=runner.iter, **meta),
                by_epoch=False,
                backend_args=self.backend_args)
        finally:
            self._saving_weights = False

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Reduce a best or final checkpoint to weights and plain meta.

        mmengine's runner adds the message hub (logged history, numpy
        scalars) to every checkpoint it saves, which torch's default
        ``weights_only=True`` loading refuses; weights files drop it and
        anything else that is not the state dict.

        Args:
            runner (Runner): The runner.
            checkpoint (dict): The checkpoint about to be saved, changed in
                place.
        """
        if not self._saving_weights:
            return
        meta = _plain(checkpoint['meta'])
        state_dict = checkpoint['state_dict']
        checkpoint.clear()
        checkpoint.update(meta=meta, state_dict=state_dict)

    def _save_best_checkpoint(self, runner, metrics: Dict[str,
                                                          float]) -> None:
        if not self.save_best:
            return
        key = self.key_indicators[0]
        if key == 'auto':
            self._init_rule(self.rules, [next(iter(metrics))])
            key = self.key_indicators[0]
        if key not in metrics:
            raise KeyError(f'FundusCheckpointHook: save_best={key!r} is not '
                           f'among the validation metrics {list(metrics)}')
        score: Optional[float] = metrics[key]
        best = runner.message_hub.get_info(
            'best_score', self.init_value_map[self.rules[0]])
        if score is None or not self.is_better_than[key](score, best):
            return
        runner.message_hub.update_info('best_score', score)
        self._save_weights(
            runner, self.best_filename, best_score=score)
        self.best_ckpt_path = self.file_backend.join_path(
            self.out_dir, self.best_filename)
        runner.message_hub.update_info('best_ckpt', self.best_ckpt_path)
        runner.logger.info(f'Best {key} {score:.4f} at epoch {runner.epoch}, '
                           f'iter {runner.iter}: saved {self.best_ckpt_path}')

    def after_train(self, runner) -> None:
        """Save ``final_model.pth``, then publish as mmengine does."""
        self._save_weights(runner, self.final_filename)
        runner.logger.info('Final weights saved to ' + self.file_backend.
                           join_path(self.out_dir, self.final_filename))
        super().after_train(runner)


def _plain(value: Any) -> Any:
    """``value`` with numpy scalars and arrays turned into Python values."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(item) for item in value)
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    return value
