"""Soft centreline Dice loss (clDice, Shit et al., CVPR 2021)."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.registry import MODELS
from torch import Tensor


def soft_erode(img: Tensor) -> Tensor:
    """Grey erosion by a plus-shaped 3x3 element (min-pooling)."""
    vertical = -F.max_pool2d(-img, (3, 1), stride=1, padding=(1, 0))
    horizontal = -F.max_pool2d(-img, (1, 3), stride=1, padding=(0, 1))
    return torch.min(vertical, horizontal)


def soft_dilate(img: Tensor) -> Tensor:
    """Grey dilation by a 3x3 square (max-pooling)."""
    return F.max_pool2d(img, 3, stride=1, padding=1)


def soft_skeleton(img: Tensor, num_iter: int) -> Tensor:
    """Differentiable skeleton of maps in [0, 1], shape (N, C, H, W).

    The union over ``k = 0 .. num_iter`` of ``erode^k(img)`` minus its
    opening: ridges up to ``num_iter + 1`` pixels from the edge are kept.
    """
    skeleton = F.relu(img - soft_dilate(soft_erode(img)))
    for _ in range(num_iter):
        img = soft_erode(img)
        ridge = F.relu(img - soft_dilate(soft_erode(img)))
        skeleton = skeleton + F.relu(ridge - skeleton * ridge)
    return skeleton


@MODELS.register_module()
class SoftClDiceLoss(nn.Module):
    """``1 - clDice`` of the foreground class, on soft skeletons.

    Topology precision (the predicted skeleton's fraction inside the
    label) and topology sensitivity (the label skeleton's fraction inside
    the prediction) are pooled over the batch; their harmonic mean is the
    centreline Dice. Pixels labelled ``ignore_index`` (padding, outside
    the field of view) count as background in both maps.

    Args:
        num_iter (int): Erosions of the soft skeleton; a vessel up to
            ``2 * (num_iter + 1)`` pixels wide keeps a ridge. Default: 5.
        foreground_index (int): The class whose centreline is scored
            (the vessel channel of softmax logits). Default: 1.
        smooth (float): Added to numerators and denominators. Default: 1.
        loss_weight (float): Weight of the loss. Default: 1.0.
        loss_name (str): Name in the log; must start with ``loss_``.
    """

    def __init__(self,
                 num_iter: int = 5,
                 foreground_index: int = 1,
                 smooth: float = 1.0,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_cldice') -> None:
        super().__init__()
        if num_iter < 0:
            raise ValueError(
                f'SoftClDiceLoss: num_iter must be >= 0, got {num_iter!r}')
        self.num_iter = num_iter
        self.foreground_index = foreground_index
        self.smooth = smooth
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    def forward(self,
                pred: Tensor,
                target: Tensor,
                weight: Optional[Tensor] = None,
                ignore_index: int = 255,
                **kwargs) -> Tensor:
        """Loss of logits ``pred`` (N, C, H, W) against labels (N, H, W)."""
        if pred.shape[1] <= self.foreground_index:
            raise ValueError(
                'SoftClDiceLoss takes softmax logits with a channel per '
                f'class; got {pred.shape[1]} channel(s) for foreground class '
                f'{self.foreground_index} (a one-channel sigmoid head is not '
                'supported)')
        valid = (target != ignore_index).unsqueeze(1).float()
        prob = pred.softmax(dim=1)[:, self.foreground_index:
                                   self.foreground_index + 1] * valid
        label = (target == self.foreground_index).unsqueeze(1).float()
        skeleton_pred = soft_skeleton(prob, self.num_iter)
        skeleton_label = soft_skeleton(label, self.num_iter)
        precision = ((skeleton_pred * label).sum() + self.smooth) / (
            skeleton_pred.sum() + self.smooth)
        sensitivity = ((skeleton_label * prob).sum() + self.smooth) / (
            skeleton_label.sum() + self.smooth)
        cldice = 2 * precision * sensitivity / (precision + sensitivity)
        return self.loss_weight * (1 - cldice)

    @property
    def loss_name(self) -> str:
        """Name of the loss item in the log (``loss_`` enters backward)."""
        return self._loss_name
