from .fundus_vessel import FundusVesselDataset
from .synthetic import generate_fundus, write_drive_layout
from .transforms import (LoadFundusAnnotations, LoadFundusImage,
                         PackFundusInputs, ResizeToFOV)

__all__ = [
    'FundusVesselDataset', 'LoadFundusAnnotations', 'LoadFundusImage',
    'PackFundusInputs', 'ResizeToFOV',
    'generate_fundus', 'write_drive_layout'
]
