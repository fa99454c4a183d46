from . import hooks, optimizers, runner
from .hooks import *  # noqa: F401,F403
from .optimizers import *  # noqa: F401,F403
from .runner import *  # noqa: F401,F403
from .training import run_training
from .work_dir_lock import WorkDirBusyError, WorkDirLock, launcher_rank

__all__ = hooks.__all__ + optimizers.__all__ + runner.__all__ + [
    'run_training', 'WorkDirBusyError', 'WorkDirLock', 'launcher_rank'
]
