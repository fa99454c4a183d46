from .load_fundus_annotations import LoadFundusAnnotations
from .load_fundus_image import LoadFundusImage
from .pack_fundus_inputs import PackFundusInputs
from .resize_to_fov import ResizeToFOV

__all__ = [
    'LoadFundusAnnotations', 'LoadFundusImage', 'PackFundusInputs',
    'ResizeToFOV'
]
