from .fundus_visualizer import FundusVisualizer, vessel_comparison
from .prediction_writer import (OUTPUT_KINDS, output_paths, output_stem,
                                unique_stems, vessel_overlay,
                                vessel_probability, write_vessel_maps)

__all__ = [
    'FundusVisualizer', 'vessel_comparison', 'OUTPUT_KINDS', 'output_paths',
    'output_stem', 'unique_stems', 'vessel_overlay', 'vessel_probability',
    'write_vessel_maps'
]
