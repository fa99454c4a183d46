"""PreemptionHook on the toy runner: a signal stops training after the
current iteration with a resumable checkpoint that --resume continues from
the next batch; DataLoader workers ignore the signals."""
import os
import signal
import subprocess

import pytest
from mmengine.hooks import Hook
from torch.utils.data import DataLoader, Dataset

from setr_fundus.engine import (PREEMPTED_EXIT_CODE, FundusEpochBasedTrainLoop,
                                PreemptionHook, TrainingPreempted)
from setr_fundus.engine.worker_signals import IgnoreStopSignals, guard_workers
from setr_fundus.utils import load_trusted_checkpoint
from tests.test_engine.toy_runner import ToyScheduledDice, toy_runner


class SignalAt(Hook):
    """Send ``signum`` to this process before iteration ``at_iter``."""

    def __init__(self, at_iter: int, signum: int = signal.SIGTERM,
                 times: int = 1) -> None:
        self.at_iter, self.signum, self.times = at_iter, signum, times

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter + 1 == self.at_iter:
            for _ in range(self.times):
                os.kill(os.getpid(), self.signum)


class Record(Hook):
    """Record (iteration, batch index, first input) of every iteration."""

    def __init__(self) -> None:
        self.seen = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.seen.append((runner.iter + 1, batch_idx,
                          float(data_batch['inputs'][0][0])))


def _interrupt(work_dir, at_iter, **kwargs):
    ToyScheduledDice.scores = [50.0, 70.0, 60.0]
    runner = toy_runner(
        str(work_dir),
        max_epochs=3,
        custom_hooks=[PreemptionHook(), SignalAt(at_iter)],
        **kwargs)
    with pytest.raises(TrainingPreempted) as info:
        runner.train()
    return runner, info.value


def test_sigterm_saves_and_resume_continues_at_next_batch(tmp_path):
    previous = signal.getsignal(signal.SIGTERM)
    runner, stop = _interrupt(tmp_path, at_iter=3)
    assert isinstance(runner.train_loop, FundusEpochBasedTrainLoop)
    assert stop.exit_code == PREEMPTED_EXIT_CODE == 75
    assert 'SIGTERM after iteration 3 (epoch 2)' in str(stop)
    assert stop.checkpoint == str(tmp_path / 'model_iter_3.pth')
    assert signal.getsignal(signal.SIGTERM) is previous
    assert signal.SIGTERM not in signal.pthread_sigmask(signal.SIG_BLOCK, [])
    assert isinstance(runner.train_dataloader.worker_init_fn,
                      IgnoreStopSignals)
    ckpt = load_trusted_checkpoint(stop.checkpoint)
    assert (ckpt['meta']['epoch'], ckpt['meta']['iter']) == (1, 3)
    assert {'optimizer', 'message_hub'} <= set(ckpt)
    last = (tmp_path / 'last_checkpoint').read_text()
    assert last == stop.checkpoint
    assert not (tmp_path / 'final_model.pth').exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith('.tmp')]

    ToyScheduledDice.scores = [10.0, 10.0]
    record = Record()
    resumed = toy_runner(
        str(tmp_path), max_epochs=3, resume=True, custom_hooks=[record])
    resumed.train()
    # epoch 2 continues with its second batch (samples 2 and 3), then epoch 3
    assert record.seen == [(4, 1, 2.0), (5, 0, 0.0), (6, 1, 2.0)]
    assert (resumed.epoch, resumed.iter) == (3, 6)
    assert (tmp_path / 'model_epoch_2.pth').exists()


def test_stop_waits_for_the_optimizer_step(tmp_path):
    wrapper = dict(
        optimizer=dict(type='SGD', lr=0.01, momentum=0.9),
        accumulative_counts=2)
    _, stop = _interrupt(tmp_path, at_iter=3, optim_wrapper=wrapper)
    assert 'after iteration 4' in str(stop)
    assert load_trusted_checkpoint(stop.checkpoint)['meta']['iter'] == 4


def test_repeated_signals_stop_once(tmp_path):
    ToyScheduledDice.scores = [50.0, 70.0, 60.0]
    runner = toy_runner(
        str(tmp_path),
        max_epochs=3,
        custom_hooks=[
            PreemptionHook(),
            SignalAt(2, signal.SIGINT, times=3)
        ])
    # the handler found before training (Python's default_int_handler, or
    # SIG_IGN where a shell started the tests in the background)
    found = signal.getsignal(signal.SIGINT)
    with pytest.raises(TrainingPreempted, match='SIGINT after iteration 2'):
        runner.train()
    assert signal.getsignal(signal.SIGINT) is found


def test_distributed_stop_ignores_later_signals(tmp_path, monkeypatch):
    """torchrun sends SIGTERM to the ranks still exiting when the first one
    has exited; Python resets its own handlers to the default (death) while
    it shuts down, so only an ignored signal keeps their exit code 75."""
    from setr_fundus.engine.hooks import preemption_hook
    monkeypatch.setattr(preemption_hook, 'get_world_size', lambda: 2)
    before = {
        s: signal.getsignal(s)
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1)
    }
    try:
        _interrupt(tmp_path, at_iter=2)
        assert all(
            signal.getsignal(s) is signal.SIG_IGN for s in before)
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)


def test_finished_distributed_run_restores_handlers(tmp_path, monkeypatch):
    from setr_fundus.engine.hooks import preemption_hook
    monkeypatch.setattr(preemption_hook, 'get_world_size', lambda: 2)
    before = signal.getsignal(signal.SIGTERM)
    toy_runner(str(tmp_path), max_epochs=1,
               custom_hooks=[PreemptionHook()]).train()
    assert signal.getsignal(signal.SIGTERM) is before


def test_exit_code_file(tmp_path, monkeypatch):
    code_file = tmp_path / 'exit_code'
    monkeypatch.setenv('SETR_FUNDUS_EXIT_CODE_FILE', str(code_file))
    _interrupt(tmp_path / 'work', at_iter=1)
    assert code_file.read_text().strip() == '75'


def test_unknown_signal_name():
    with pytest.raises(ValueError, match='SIGNOPE'):
        PreemptionHook(signals=('SIGTERM', 'SIGNOPE'))


class _WorkerPids(Dataset):
    """Four samples, each the pid of the process that loads it."""

    def __len__(self) -> int:
        return 4

    def __getitem__(self, index: int) -> int:
        return os.getpid()


def test_workers_ignore_signals_but_their_parents_sigterm():
    signals = PreemptionHook().signals
    assert signal.SIGUSR1 in signals
    loader = DataLoader(
        _WorkerPids(), num_workers=2, persistent_workers=True)
    guard_workers([loader], signals)
    workers = {int(pid) for pid in loader}
    assert len(workers) == 2 and os.getpid() not in workers
    for signum in signals:  # from another process, as a group signal is
        subprocess.run(['kill', f'-{signum}', *map(str, workers)],
                       check=True)
    # a worker killed by one of them fails this epoch (RuntimeError)
    assert {int(pid) for pid in loader} == workers
    # SIGTERM from the parent ends a worker with 0, as torch's handler does
    worker = workers.pop()
    os.kill(worker, signal.SIGTERM)
    ended = os.waitid(os.P_PID, worker, os.WEXITED | os.WNOWAIT)
    assert (ended.si_code, ended.si_status) == (os.CLD_EXITED, 0)
