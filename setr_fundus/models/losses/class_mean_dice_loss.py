"""mmseg's Dice loss taken per class and averaged (macro Dice)."""
from typing import Optional

from mmseg.models.losses import DiceLoss
from mmseg.models.losses.dice_loss import _expand_onehot_labels_dice, dice_loss
from mmseg.registry import MODELS
from torch import Tensor


@MODELS.register_module()
class ClassMeanDiceLoss(DiceLoss):
    """``DiceLoss`` computed for each class on its own, then averaged.

    mmseg's ``DiceLoss`` flattens the channels it keeps (all but
    ``ignore_index``) into one Dice per image, so the largest class weighs
    most and a pixel of one vessel class taken for another costs little
    beside a missed vessel. Here every kept channel gets its own Dice
    (``dice_loss`` of that channel alone) and the loss is their mean: with
    ``ignore_index=0`` artery, vein and crossing each count one third.
    Arguments are ``DiceLoss``'s; labels ``>= num_classes`` (255) are
    background in every channel, as there.
    """

    def forward(self,
                pred: Tensor,
                target: Tensor,
                weight: Optional[Tensor] = None,
                avg_factor: Optional[int] = None,
                reduction_override: Optional[str] = None,
                **kwargs) -> Tensor:
        """Mean over the kept classes of their Dice losses."""
        num_classes = pred.shape[1]
        one_hot = _expand_onehot_labels_dice(pred, target)
        if self.activate:
            if self.use_sigmoid:
                pred = pred.sigmoid()
            elif num_classes != 1:  # as DiceLoss: no softmax of 1 channel
                pred = pred.softmax(dim=1)
        reduction = reduction_override or self.reduction
        kept = [c for c in range(num_classes) if c != self.ignore_index]
        losses = [
            dice_loss(
                pred[:, c:c + 1],
                one_hot[:, c:c + 1],
                weight,
                eps=self.eps,
                reduction=reduction,
                naive_dice=self.naive_dice,
                avg_factor=avg_factor,
                ignore_index=None) for c in kept
        ]
        return self.loss_weight * sum(losses) / len(losses)
