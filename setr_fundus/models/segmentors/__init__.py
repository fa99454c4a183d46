from .fundus_encoder_decoder import FundusEncoderDecoder
from .fundus_tta_model import FundusTTAModel

__all__ = ['FundusEncoderDecoder', 'FundusTTAModel']
