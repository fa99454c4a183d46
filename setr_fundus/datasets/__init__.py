from .fundus_vessel import FundusVesselDataset
from .synthetic import generate_fundus, write_drive_layout
from .synthetic_fundus import SyntheticFundusDataset
from .transforms import LoadFundusAnnotations, PackFundusInputs, ResizeToFOV

__all__ = [
    'FundusVesselDataset', 'LoadFundusAnnotations', 'PackFundusInputs',
    'ResizeToFOV', 'SyntheticFundusDataset', 'generate_fundus',
    'write_drive_layout'
]
