from typing import List, Union

import torch
from mmengine.structures import BaseDataElement
from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import MODELS
from mmseg.utils import OptSampleList, SampleList
from torch import Tensor, nn

from ..utils import av_segment_vote


@MODELS.register_module()
class FundusEncoderDecoder(EncoderDecoder):
    """:class:`EncoderDecoder` with batched sliding windows and a val loss.

    Differences from mmseg's segmentor, everything else is inherited:

    - checkpoints of the earlier layout, whose spatial path lived in the
      head (``decode_head.detail_stem.*``), load into its place in the
      backbone (``backbone.spatial_path.*``) through a state-dict pre-hook.
    - ``slide_inference`` sends the windows of all images through the network
      as batches of ``test_cfg.slide_batch_size`` windows (default 8) instead
      of one window at a time; the logits are the same as mmseg's.
    - ``val_step`` also computes the decode head's losses on the full-image
      logits it already predicted (no extra forward pass) and returns them
      the way mmengine's ``ValLoop`` expects, so the validation loss is
      logged beside the metrics (``val/loss_*`` and ``val/val_loss``).
    - with ``test_cfg.av_segment_vote=dict(artery=1, vein=2)`` (the
      channels of the two classes), the predictions at the photograph's
      size take one artery/vein decision per vessel segment
      (:func:`~setr_fundus.models.utils.av_segment_vote`), in testing,
      validation and inference alike.

    Args:
        **kwargs: As :class:`mmseg.models.segmentors.EncoderDecoder`.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.register_load_state_dict_pre_hook(_map_legacy_keys)

    def slide_inference(self, inputs: Tensor,
                        batch_img_metas: List[dict]) -> Tensor:
        """Sliding-window inference with the windows batched.

        Args:
            inputs (Tensor): Images of shape (N, C, H, W).
            batch_img_metas (list[dict]): Image meta information.

        Returns:
            Tensor: Logits of shape (N, out_channels, H, W), averaged over
            overlapping windows.
        """
        h_stride, w_stride = self.test_cfg.stride
        h_crop, w_crop = self.test_cfg.crop_size
        chunk = int(self.test_cfg.get('slide_batch_size', 8))
        if chunk < 1:
            raise ValueError(f'test_cfg.slide_batch_size must be >= 1, '
                             f'got {chunk}')
        batch_size, _, h_img, w_img = inputs.shape
        h_grids = max(h_img - h_crop + h_stride - 1, 0) // h_stride + 1
        w_grids = max(w_img - w_crop + w_stride - 1, 0) // w_stride + 1
        windows = []
        for h_idx in range(h_grids):
            for w_idx in range(w_grids):
                y2 = min(h_idx * h_stride + h_crop, h_img)
                x2 = min(w_idx * w_stride + w_crop, w_img)
                windows.append((max(y2 - h_crop, 0), max(x2 - w_crop, 0), y2,
                                x2))
        preds = inputs.new_zeros((batch_size, self.out_channels, h_img, w_img))
        count_mat = inputs.new_zeros((batch_size, 1, h_img, w_img))
        # every window has the same size, so crops of all images stack; as
        # in mmseg, a torch.Size img_shape tells the head to output logits
        # at the window size
        y1, x1, y2, x2 = windows[0]
        batch_img_metas[0]['img_shape'] = inputs[:, :, y1:y2, x1:x2].shape[2:]
        per_chunk = max(chunk // batch_size, 1)
        for start in range(0, len(windows), per_chunk):
            group = windows[start:start + per_chunk]
            crops = torch.cat(
                [inputs[:, :, y1:y2, x1:x2] for y1, x1, y2, x2 in group])
            logits = self.encode_decode(crops, batch_img_metas)
            for i, (y1, x1, y2, x2) in enumerate(group):
                preds[:, :, y1:y2, x1:x2] += logits[i * batch_size:(i + 1) *
                                                    batch_size]
                count_mat[:, :, y1:y2, x1:x2] += 1
        return preds / count_mat

    def val_step(self, data: Union[dict, tuple, list]) -> list:
        """Predict a validation batch and compute its losses.

        Args:
            data (dict | tuple | list): A batch from the dataloader.

        Returns:
            list: The predicted data samples followed by a
            :obj:`BaseDataElement` holding the loss dict.
        """
        data = self.data_preprocessor(data, False)
        inputs, data_samples = data['inputs'], data['data_samples']
        batch_img_metas = [sample.metainfo for sample in data_samples]
        seg_logits = self.inference(inputs, batch_img_metas)
        losses = self.decode_head.loss_by_feat(seg_logits, data_samples)
        losses = {k: v for k, v in losses.items() if k.startswith('loss')}
        predictions = self.postprocess_result(seg_logits, data_samples)
        return predictions + [BaseDataElement(loss=losses)]

    def postprocess_result(self,
                           seg_logits: Tensor,
                           data_samples: OptSampleList = None) -> SampleList:
        """mmseg's results, then the artery/vein vote of ``test_cfg``.

        Args:
            seg_logits (Tensor): Logits of shape (N, C, H, W).
            data_samples (list[SegDataSample], optional): The samples.

        Returns:
            list[SegDataSample]: Samples with ``seg_logits`` and
            ``pred_sem_seg`` at each image's original size.
        """
        samples = super().postprocess_result(seg_logits, data_samples)
        vote = (self.test_cfg or {}).get('av_segment_vote')
        if vote:
            for sample in samples:
                logits = av_segment_vote(sample.seg_logits.data, **vote)
                sample.seg_logits.data = logits
                sample.pred_sem_seg.data = logits.argmax(dim=0, keepdim=True)
        return samples


# the spatial path's weights before it moved from the head to the backbone
_LEGACY_PREFIXES = (('decode_head.detail_stem.', 'backbone.spatial_path.'), )


def _map_legacy_keys(module: nn.Module, state_dict: dict, prefix: str,
                     *args) -> None:
    """Rename keys of the earlier layout in ``state_dict``, in place."""
    for old, new in _LEGACY_PREFIXES:
        for key in [k for k in state_dict if k.startswith(prefix + old)]:
            state_dict[prefix + new + key[len(prefix + old):]] = \
                state_dict.pop(key)
