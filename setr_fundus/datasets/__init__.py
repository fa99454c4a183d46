from .fundus_vessel import FundusVesselDataset
from .synthetic import generate_fundus, write_drive_layout
from .synthetic_fundus import SyntheticFundusDataset
from .transforms import (CachedLoad, LoadFundusAnnotations, PackFundusInputs,
                         ResizeToFOV)

__all__ = [
    'CachedLoad', 'FundusVesselDataset', 'LoadFundusAnnotations',
    'PackFundusInputs', 'ResizeToFOV', 'SyntheticFundusDataset',
    'generate_fundus', 'write_drive_layout'
]
