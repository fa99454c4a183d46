from .checkpoint_io import load_trusted_checkpoint
from .run_config import (build_runner, enable_amp, enable_tta,
                         enable_visualization, set_resume, set_work_dir)

__all__ = [
    'load_trusted_checkpoint', 'build_runner', 'enable_amp', 'enable_tta',
    'enable_visualization', 'set_resume', 'set_work_dir'
]
