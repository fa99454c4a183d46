"""Cross-entropy of the artery/vein decision on labelled vessel pixels."""
from typing import Optional

import torch.nn as nn
import torch.nn.functional as F
from mmseg.registry import MODELS
from torch import Tensor


@MODELS.register_module()
class ArteryVeinLoss(nn.Module):
    """Two-class cross-entropy of the artery and vein logits alone.

    ``AVMetric`` decides a vessel pixel's type by the larger of its artery
    and vein logits, whatever its background score. The segmentation
    losses reach that decision only through the four-class softmax, where
    background pixels weigh most. This loss trains the decision itself:
    at pixels labelled artery or vein (crossings, uncertain and ignored
    pixels left out), the cross-entropy of ``softmax([artery, vein])``,
    averaged over those pixels of the batch (zero when it has none).

    Args:
        artery_index (int): The artery class. Default: 1.
        vein_index (int): The vein class. Default: 2.
        loss_weight (float): Weight of the loss. Default: 1.0.
        loss_name (str): Name in the log; must start with ``loss_``.
    """

    def __init__(self,
                 artery_index: int = 1,
                 vein_index: int = 2,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_av') -> None:
        super().__init__()
        self.artery_index = artery_index
        self.vein_index = vein_index
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    def forward(self,
                pred: Tensor,
                target: Tensor,
                weight: Optional[Tensor] = None,
                **kwargs) -> Tensor:
        """Mean cross-entropy over the artery and vein pixels of ``target``.

        ``pred`` is (N, C, H, W) logits, ``target`` (N, H, W) class
        indices; ``weight`` (N, H, W), a sampler's, scales each pixel.
        """
        typed = (target == self.artery_index) | (target == self.vein_index)
        logits = pred[:, [self.artery_index, self.vein_index]]
        is_vein = (target == self.vein_index).long()
        losses = F.cross_entropy(logits, is_vein, reduction='none')
        if weight is not None:
            losses = losses * weight
        mean = (losses * typed).sum() / typed.sum().clamp(min=1)
        return self.loss_weight * mean

    @property
    def loss_name(self) -> str:
        """Name of the loss item in the log (``loss_`` enters backward)."""
        return self._loss_name
