"""NaNGuardHook on the toy runner: a NaN loss stops training at its
iteration, and no checkpoint with non-finite weights is written."""
import pytest
import torch
from mmengine.hooks import Hook

from setr_fundus.engine import (NaNGuardHook, NonFiniteLossError,
                                NonFiniteWeightsError)
from setr_fundus.utils import load_trusted_checkpoint
from tests.test_engine.toy_runner import ToyScheduledDice, toy_runner


class SpoilWeights(Hook):
    """Fill the toy model's weights with ``value`` around iteration
    ``at_iter``: before it (its loss turns NaN) or, with ``after=True``,
    after its loss was checked (the loss stays finite)."""

    priority = 'LOWEST'

    def __init__(self, at_iter: int, value: float = float('nan'),
                 after: bool = False) -> None:
        self.at_iter, self.value, self.after = at_iter, value, after

    def _spoil(self, runner) -> None:
        if runner.iter + 1 == self.at_iter:
            runner.model.linear.weight.data.fill_(self.value)

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if not self.after:
            self._spoil(runner)

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if self.after:
            self._spoil(runner)


def _run(work_dir, spoil: Hook):
    ToyScheduledDice.scores = [50.0, 70.0, 80.0]
    runner = toy_runner(
        str(work_dir), max_epochs=3, custom_hooks=[NaNGuardHook(), spoil])
    return runner


def _all_finite(path) -> bool:
    state = load_trusted_checkpoint(str(path))['state_dict']
    return all(bool(torch.isfinite(v).all()) for v in state.values())


def test_nan_loss_stops_at_its_iteration(tmp_path):
    runner = _run(tmp_path, SpoilWeights(at_iter=4))
    with pytest.raises(
            NonFiniteLossError,
            match=r'iteration 4 \(epoch 2, batch 2\): loss=nan on rank 0'):
        runner.train()
    names = {p.name for p in tmp_path.glob('*.pth')}
    assert names == {'model_epoch_1.pth', 'best_model.pth'}
    best = load_trusted_checkpoint(str(tmp_path / 'best_model.pth'))
    assert best['meta']['iter'] == 2
    assert all(_all_finite(tmp_path / name) for name in names)


def test_inf_loss_is_caught_too(tmp_path):
    runner = _run(tmp_path, SpoilWeights(at_iter=2, value=float('inf')))
    with pytest.raises(NonFiniteLossError, match='iteration 2 .*loss=inf'):
        runner.train()
    assert not list(tmp_path.glob('*.pth'))


def test_non_finite_weights_are_never_saved(tmp_path):
    # the loss of iteration 4 is finite, the weights after it are not: the
    # epoch-2 checkpoint is refused and best_model.pth stays epoch 1's
    runner = _run(tmp_path, SpoilWeights(at_iter=4, after=True))
    with pytest.raises(NonFiniteWeightsError,
                       match=r'iteration 4: 1 tensors .*linear\.weight'):
        runner.train()
    names = {p.name for p in tmp_path.glob('*.pth')}
    assert names == {'model_epoch_1.pth', 'best_model.pth'}
    assert all(_all_finite(tmp_path / name) for name in names)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith('.tmp')]


def test_refused_save_leaves_the_file(tmp_path):
    ToyScheduledDice.scores = [50.0]
    runner = toy_runner(
        str(tmp_path), max_epochs=1, custom_hooks=[NaNGuardHook()])
    runner.train()
    best = tmp_path / 'best_model.pth'
    before = best.read_bytes()
    runner.model.linear.bias.data.fill_(float('nan'))
    with pytest.raises(NonFiniteWeightsError, match='linear.bias'):
        runner.save_checkpoint(str(tmp_path), 'best_model.pth')
    assert best.read_bytes() == before
