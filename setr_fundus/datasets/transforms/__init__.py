from .load_fundus_annotations import LoadFundusAnnotations
from .load_fundus_image import LoadFundusImage
from .pack_fundus_inputs import PackFundusInputs

__all__ = ['LoadFundusAnnotations', 'LoadFundusImage', 'PackFundusInputs']
