from .checkpoint import (LoadReport, convert_vit_keys, extract_state_dict,
                         infer_vit_arch, load_vit_state_dict, match_state_dict)
from .vfm_vit import VFMViT

__all__ = [
    'VFMViT', 'LoadReport', 'convert_vit_keys', 'extract_state_dict',
    'infer_vit_arch', 'load_vit_state_dict', 'match_state_dict'
]
