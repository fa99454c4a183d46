from .soft_cldice_loss import SoftClDiceLoss

__all__ = ['SoftClDiceLoss']
