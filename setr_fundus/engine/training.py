"""The training run behind ``tools/train.py``."""
from contextlib import nullcontext

from mmengine.config import Config

from setr_fundus.utils import build_runner
from .hooks.preemption_hook import TrainingPreempted
from .work_dir_lock import WorkDirLock, launcher_rank


def run_training(cfg: Config) -> int:
    """Build the runner of ``cfg`` and train; return the exit code.

    Global rank 0 holds the work dir for the whole run
    (:class:`WorkDirLock`), so a second run into it is refused before it
    writes anything; the other ranks stop with it through their launcher.

    Args:
        cfg (Config): A config ready to build, with ``work_dir`` and
            ``launcher`` set.

    Returns:
        int: 0 when training finished, the hook's exit code (75) when a
        signal stopped it after saving a checkpoint.
    """
    launcher = cfg.get('launcher', 'none')
    lock = WorkDirLock(cfg.work_dir) if launcher_rank(launcher) == 0 \
        else nullcontext()
    with lock:
        try:
            build_runner(cfg).train()
        except TrainingPreempted as stop:
            return stop.exit_code
    return 0
