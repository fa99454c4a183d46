from typing import List

import torch
from mmengine.structures import PixelData
from mmseg.models import SegTTAModel
from mmseg.registry import MODELS
from mmseg.utils import SampleList

from ..utils import av_segment_vote, class_probabilities


@MODELS.register_module()
class FundusTTAModel(SegTTAModel):
    """Test-time augmentation that keeps the averaged probabilities.

    mmseg's :class:`SegTTAModel` averages the class probabilities of the
    augmented views but returns the *last* view's sample, whose
    ``seg_logits`` are that view's alone and whose annotations (e.g. the FOV
    mask) went through that view's flip. Here the merged sample is built on
    the first, unaugmented view: ground truth and FOV stay aligned with the
    image, and ``seg_logits`` hold what the model would have stored for the
    averaged probabilities (their log for ``C >= 2`` channels, the class-1
    probability for one channel), so that metrics reading probabilities
    (AUC) see the ensemble. With the module's
    ``test_cfg.av_segment_vote`` the averaged map is voted again, one
    artery/vein decision per segment of the merged vessel map.
    """

    def merge_preds(self, data_samples_list: List[SampleList]) -> SampleList:
        """Average the views' class probabilities for each image.

        Args:
            data_samples_list (list[list[SegDataSample]]): Per image, the
                predictions of its augmented views (first = unaugmented).

        Returns:
            list[SegDataSample]: One merged prediction per image.
        """
        merged = []
        for views in data_samples_list:
            prob = torch.stack([
                class_probabilities(view.seg_logits.data) for view in views
            ]).mean(dim=0)
            sample = views[0]
            if sample.seg_logits.data.shape[0] == 1:
                logits = prob[1:]  # mmseg stores one-channel probabilities
                pred = (logits > self.module.decode_head.threshold).to(logits)
            else:
                logits = prob.clamp_min(1e-12).log()
                vote = (self.module.test_cfg or {}).get('av_segment_vote')
                if vote:
                    logits = av_segment_vote(logits, **vote)
                pred = logits.argmax(dim=0, keepdim=True)
            sample.set_data({
                'seg_logits': PixelData(data=logits),
                'pred_sem_seg': PixelData(data=pred)
            })
            merged.append(sample)
        return merged
