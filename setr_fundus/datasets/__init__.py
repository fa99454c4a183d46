from .fundus_vessel import FundusVesselDataset
from .synthetic import generate_fundus, write_drive_layout
from .transforms import LoadFundusSample, PackFundusInputs

__all__ = [
    'FundusVesselDataset', 'LoadFundusSample', 'PackFundusInputs',
    'generate_fundus', 'write_drive_layout'
]
