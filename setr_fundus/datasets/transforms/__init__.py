from .cached_load import CachedLoad
from .load_fundus_annotations import LoadFundusAnnotations
from .pack_fundus_inputs import PackFundusInputs
from .resize_to_fov import ResizeToFOV
from .standardize_fov_colour import StandardizeFOVColour

__all__ = [
    'CachedLoad', 'LoadFundusAnnotations', 'PackFundusInputs', 'ResizeToFOV',
    'StandardizeFOVColour'
]
