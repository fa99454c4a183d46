from .fundus_artery_vein import FundusArteryVeinDataset
from .fundus_vessel import FundusVesselDataset
from .label_resampling import resample_label
from .photo_loader import PhotoLoader
from .synthetic import generate_fundus, write_drive_layout
from .synthetic_fundus import SyntheticFundusDataset
from .transforms import (CachedLoad, LoadFundusAnnotations, PackFundusInputs,
                         ResizeToFOV)

__all__ = [
    'CachedLoad', 'FundusArteryVeinDataset', 'FundusVesselDataset',
    'LoadFundusAnnotations', 'PackFundusInputs', 'PhotoLoader', 'ResizeToFOV',
    'SyntheticFundusDataset', 'generate_fundus', 'resample_label',
    'write_drive_layout'
]
