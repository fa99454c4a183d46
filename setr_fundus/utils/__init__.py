from .checkpoint_io import check_state_dict_shapes, load_trusted_checkpoint
from .run_config import (LOADERS, build_runner, enable_amp, enable_mask_output,
                         enable_tta, enable_visualization, load_config,
                         set_data_root, set_resume, set_work_dir)

__all__ = [
    'LOADERS', 'check_state_dict_shapes', 'load_trusted_checkpoint',
    'build_runner', 'enable_amp', 'enable_mask_output', 'enable_tta',
    'enable_visualization', 'load_config', 'set_data_root', 'set_resume',
    'set_work_dir'
]
