"""The one rule that turns a segmentor's ``seg_logits`` into class
probabilities, for every reader of predictions (``tools/infer.py``, the
metrics, test-time augmentation)."""
import torch
from torch import Tensor


def class_probabilities(seg_logits: Tensor) -> Tensor:
    """Class probabilities of a segmentor's ``seg_logits``.

    mmseg's ``BaseSegmentor.postprocess_result`` stores logits for heads
    with ``C >= 2`` output channels, but for a one-channel head
    (``out_channels=1``, a sigmoid head) it stores the sigmoid, i.e. the
    probability of class 1 itself.

    Args:
        seg_logits (Tensor): ``(C, ...)``, class axis first: ``C >= 2``
            logits, or one channel holding the class-1 probability.

    Returns:
        Tensor: ``(max(C, 2), ...)`` probabilities summing to 1 over the
        class axis: the softmax for ``C >= 2``; ``[1 - p, p]`` for one
        channel.
    """
    if seg_logits.dim() == 0 or seg_logits.shape[0] == 0:
        raise ValueError('seg_logits needs a class axis first, got shape '
                         f'{tuple(seg_logits.shape)}')
    if seg_logits.shape[0] == 1:
        return torch.cat([1 - seg_logits, seg_logits])
    return seg_logits.softmax(dim=0)
