import os.path as osp
from typing import Optional, Sequence

import cv2
import numpy as np
from mmengine.runner import Runner
from mmseg.engine.hooks import SegVisualizationHook
from mmseg.registry import HOOKS
from mmseg.structures import SegDataSample

from ...datasets import PhotoLoader


@HOOKS.register_module()
class FundusVisualizationHook(SegVisualizationHook):
    """:class:`SegVisualizationHook` that draws on the decoded photograph.

    mmseg's hook re-reads each image from ``img_path`` with OpenCV, which
    cannot read GIF images or STARE's ``.ppm.gz`` files. This hook draws at
    the photograph's own pixels (where predictions and labels are): the
    image of the batch when it has that size (under test-time augmentation
    the first, unaugmented view), else the file read by the config's own
    loading step (:class:`~setr_fundus.datasets.PhotoLoader` of
    ``test_pipeline``), else, when the file is gone, the batch image
    resized to it. Pictures are recorded at the training iteration during
    validation; a test run (which has no training loop to ask) records
    them at step 0.

    Args:
        As :class:`mmseg.engine.hooks.SegVisualizationHook`.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._load_photo: Optional[PhotoLoader] = None

    def before_run(self, runner: Runner) -> None:
        """Build the photograph loader of ``runner.cfg`` when drawing.

        Args:
            runner (Runner): The runner; its config needs
                ``test_pipeline``.
        """
        if self.draw:
            self._load_photo = PhotoLoader.from_config(runner.cfg)

    def _after_iter(self,
                    runner: Runner,
                    batch_idx: int,
                    data_batch: dict,
                    outputs: Sequence[SegDataSample],
                    mode: str = 'val') -> None:
        if self.draw is False or mode == 'train':
            return
        if not self.every_n_inner_iters(batch_idx, self.interval):
            return
        for index, output in enumerate(outputs):
            name = f'{mode}_{output.img_path.split("/")[-1]}'
            self._visualizer.add_datasample(
                name,
                self._image_rgb(data_batch, index, output),
                data_sample=output,
                show=self.show,
                wait_time=self.wait_time,
                step=runner.message_hub.get_info('iter', 0))

    def _image_rgb(self, data_batch: dict, index: int,
                   output: SegDataSample) -> np.ndarray:
        inputs: Sequence = data_batch.get('inputs') or []
        if inputs and isinstance(inputs[0], (list, tuple)):
            inputs = inputs[0]  # test-time augmentation: views, then batch
        image = inputs[index] if index < len(inputs) else None
        height, width = output.ori_shape
        if image is not None and tuple(image.shape[-2:]) == (height, width):
            bgr = image.permute(1, 2, 0).cpu().numpy()
        elif osp.isfile(output.img_path):
            bgr = self._load_photo(output.img_path)
        else:
            bgr = cv2.resize(
                np.ascontiguousarray(image.permute(1, 2, 0).cpu().numpy()),
                (width, height),
                interpolation=cv2.INTER_LINEAR)
        return np.ascontiguousarray(bgr[..., ::-1])
