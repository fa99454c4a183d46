"""Speed, memory and FLOPs benchmark behind
``tools/analysis_tools/benchmark.py``."""
from .suite import format_table, run_benchmark, table_rows
from .timing import median_time, peak_memory_mib
from .variants import (VARIANTS, build_variant, synthetic_batch,
                       trainable_optim_wrapper, variant_model_cfg)

__all__ = [
    'format_table', 'run_benchmark', 'table_rows', 'median_time',
    'peak_memory_mib', 'VARIANTS', 'build_variant', 'synthetic_batch',
    'trainable_optim_wrapper', 'variant_model_cfg'
]
