from typing import Sequence

import numpy as np
from mmengine.runner import Runner
from mmseg.engine.hooks import SegVisualizationHook
from mmseg.registry import HOOKS
from mmseg.structures import SegDataSample

from setr_fundus.datasets.fundus_io import read_image


@HOOKS.register_module()
class FundusVisualizationHook(SegVisualizationHook):
    """:class:`SegVisualizationHook` that draws on the decoded photograph.

    mmseg's hook re-reads each image from ``img_path`` with OpenCV, which
    cannot read GIF images, STARE's ``.ppm.gz`` files or the in-memory
    synthetic set. This hook takes the image from the batch instead (test
    pipelines keep the original resolution; under test-time augmentation
    the first, unaugmented view); only when its size differs from the
    sample's ``ori_shape`` is the file read with the dataset's reader.

    Args:
        As :class:`mmseg.engine.hooks.SegVisualizationHook`.
    """

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
                step=runner.iter)

    @staticmethod
    def _image_rgb(data_batch: dict, index: int,
                   output: SegDataSample) -> np.ndarray:
        inputs: Sequence = data_batch.get('inputs') or []
        if inputs and isinstance(inputs[0], (list, tuple)):
            inputs = inputs[0]  # test-time augmentation: views, then batch
        image = inputs[index] if index < len(inputs) else None
        if image is not None and tuple(image.shape[-2:]) == tuple(
                output.ori_shape):
            bgr = image.permute(1, 2, 0).cpu().numpy()
        else:
            bgr = read_image(output.img_path)
        return np.ascontiguousarray(bgr[..., ::-1])
