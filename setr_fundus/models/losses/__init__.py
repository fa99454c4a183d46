from .artery_vein_loss import ArteryVeinLoss
from .class_mean_dice_loss import ClassMeanDiceLoss
from .soft_cldice_loss import SoftClDiceLoss

__all__ = ['ArteryVeinLoss', 'ClassMeanDiceLoss', 'SoftClDiceLoss']
