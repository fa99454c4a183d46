from mmengine.runner import EpochBasedTrainLoop
from mmseg.registry import LOOPS


@LOOPS.register_module()
class FundusEpochBasedTrainLoop(EpochBasedTrainLoop):
    """:class:`EpochBasedTrainLoop` that resumes inside an epoch.

    mmengine's epoch loop restarts the epoch of a resumed checkpoint from
    its first batch, which is right for the checkpoints it writes itself
    (at the end of an epoch) but trains the first batches of the epoch
    twice after a checkpoint written in the middle of one (by
    :class:`~setr_fundus.engine.hooks.PreemptionHook`). This loop skips
    the batches that the checkpoint's iteration count says were trained:
    the sampler gives the epoch the same order as before (it is seeded by
    the seed and the epoch), so training continues with the next batch.
    Skipped batches are loaded but not trained on, as mmengine's
    :class:`IterBasedTrainLoop` does when it resumes.

    :class:`~setr_fundus.engine.runner.FundusRunner` uses it wherever a
    config asks for ``EpochBasedTrainLoop``.

    Args:
        As :class:`mmengine.runner.EpochBasedTrainLoop`.
    """

    def run_epoch(self) -> None:
        """Iterate one epoch, past the batches a resumed checkpoint
        already trained."""
        done = self._iter - self._epoch * len(self.dataloader)
        if done <= 0:
            return super().run_epoch()
        self.runner.call_hook('before_train_epoch')
        self.runner.model.train()
        if done < len(self.dataloader):
            self.runner.logger.info(
                f'Resuming inside epoch {self._epoch + 1}: skipping the '
                f'{done} batches trained before iteration {self._iter}')
            for idx, data_batch in enumerate(self.dataloader):
                if idx >= done:
                    self.run_iter(idx, data_batch)
        self.runner.call_hook('after_train_epoch')
        self._epoch += 1
