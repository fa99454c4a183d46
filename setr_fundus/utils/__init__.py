from .checkpoint_io import load_trusted_checkpoint
from .run_config import (build_runner, enable_amp, enable_mask_output,
                         enable_tta, enable_visualization, load_config,
                         set_resume, set_work_dir)
from .shared_settings import (SHARED_SETTINGS, apply_shared_settings,
                              expand_shared_options)

__all__ = [
    'load_trusted_checkpoint', 'build_runner', 'enable_amp',
    'enable_mask_output', 'enable_tta',
    'enable_visualization', 'load_config', 'set_resume', 'set_work_dir',
    'SHARED_SETTINGS', 'apply_shared_settings', 'expand_shared_options'
]
