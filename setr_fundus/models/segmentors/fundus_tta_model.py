from typing import List

import torch
from mmengine.structures import PixelData
from mmseg.models import SegTTAModel
from mmseg.registry import MODELS
from mmseg.utils import SampleList


@MODELS.register_module()
class FundusTTAModel(SegTTAModel):
    """Test-time augmentation that keeps the averaged probabilities.

    mmseg's :class:`SegTTAModel` averages the class probabilities of the
    augmented views but returns the *last* view's sample, whose
    ``seg_logits`` are that view's alone and whose annotations (e.g. the FOV
    mask) went through that view's flip. Here the merged sample is built on
    the first, unaugmented view: ground truth and FOV stay aligned with the
    image, and ``seg_logits`` hold the log of the averaged probabilities, so
    that metrics reading probabilities (AUC) see the ensemble.
    """

    def merge_preds(self, data_samples_list: List[SampleList]) -> SampleList:
        """Average the views' probabilities for each image.

        Args:
            data_samples_list (list[list[SegDataSample]]): Per image, the
                predictions of its augmented views (first = unaugmented).

        Returns:
            list[SegDataSample]: One merged prediction per image.
        """
        merged = []
        for views in data_samples_list:
            probs = torch.stack([self._probabilities(v) for v in views])
            prob = probs.mean(dim=0)
            sample = views[0]
            if prob.shape[0] == 1:
                pred = (prob > self.module.decode_head.threshold).to(prob)
                logits = prob  # single channel: mmseg stores probabilities
            else:
                pred = prob.argmax(dim=0, keepdim=True)
                logits = prob.clamp_min(1e-12).log()
            sample.set_data({
                'seg_logits': PixelData(data=logits),
                'pred_sem_seg': PixelData(data=pred)
            })
            merged.append(sample)
        return merged

    @staticmethod
    def _probabilities(sample) -> torch.Tensor:
        logits = sample.seg_logits.data
        # mmseg already applied the sigmoid to single-channel outputs
        return logits if logits.shape[0] == 1 else logits.softmax(dim=0)
