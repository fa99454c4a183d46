from typing import List, Optional, Sequence

import mmcv
import numpy as np
from mmseg.registry import VISUALIZERS
from mmseg.structures import SegDataSample
from mmseg.visualization import SegLocalVisualizer

from ..datasets import FundusVesselDataset
from .class_drawing import (INSIDE_FOV, class_colours, overlay_classes,
                            paint_classes)

# RGB colours of the comparison map
TRUE_VESSEL = (0, 200, 0)
MISSED_VESSEL = (230, 0, 0)
FALSE_VESSEL = (40, 110, 255)


def vessel_comparison(pred: np.ndarray,
                      label: np.ndarray,
                      fov: Optional[np.ndarray] = None) -> np.ndarray:
    """Colour a predicted vessel mask against its label.

    Args:
        pred (np.ndarray): HxW predicted mask (1 = vessel).
        label (np.ndarray): HxW label (1 = vessel; other values such as the
            ignore index 255 count as background).
        fov (np.ndarray, optional): HxW field-of-view mask (1 = inside).
            Defaults to None (the whole image).

    Returns:
        np.ndarray: uint8 HxWx3 RGB map: true vessel green, missed vessel
        red, false vessel blue, the rest of the FOV dark grey, outside it
        black.
    """
    pred, label = pred == 1, label == 1
    inside = np.ones_like(pred) if fov is None else fov == 1
    layers = ((inside, INSIDE_FOV), (pred & label, TRUE_VESSEL),
              (label & ~pred, MISSED_VESSEL), (pred & ~label, FALSE_VESSEL))
    out = np.zeros(pred.shape + (3, ), np.uint8)
    for mask, colour in layers:
        out[mask & inside] = colour
    return out


@VISUALIZERS.register_module()
class FundusVisualizer(SegLocalVisualizer):
    """:class:`SegLocalVisualizer` drawing vessel maps a reader can check.

    For two classes (background, vessel):

    - with a label and a prediction: the photograph beside the comparison
      map of :func:`vessel_comparison` (true vessel green, missed vessel
      red, false vessel blue, inside the FOV when the sample has one);
    - with only one of them (e.g. ``MMSegInferencer`` on a photograph):
      the vessels drawn in green on the photograph.

    For more classes (e.g. artery and vein), in the colours of
    ``dataset_meta['palette']``: the photograph, the label and the
    prediction side by side (classes on dark grey inside the FOV), or the
    one map drawn on the photograph.

    Images go to the backends (``--show-dir``, TensorBoard) or to
    ``out_file``, as with mmseg's visualizer. The runner's loops set
    ``dataset_meta`` to the data set's.

    Args:
        name (str): Instance name. Defaults to 'visualizer'.
        classes (Sequence[str], optional): Class names. Defaults to None.
        palette (Sequence[Sequence[int]], optional): RGB colour per class.
            Defaults to None.
        dataset_name (str, optional): A data set known to mmseg, for classes
            and palette. Defaults to None; with none of the three, the
            classes and palette of :class:`FundusVesselDataset`.
        **kwargs: As :class:`mmseg.visualization.SegLocalVisualizer`.
    """

    def __init__(self,
                 name: str = 'visualizer',
                 classes: Optional[Sequence[str]] = None,
                 palette: Optional[Sequence[Sequence[int]]] = None,
                 dataset_name: Optional[str] = None,
                 **kwargs) -> None:
        super().__init__(name=name, **kwargs)
        if classes is None and palette is None and dataset_name is None:
            classes = FundusVesselDataset.METAINFO['classes']
            palette = FundusVesselDataset.METAINFO['palette']
        self.set_dataset_meta(classes, palette, dataset_name)

    def add_datasample(self,
                       name: str,
                       image: np.ndarray,
                       data_sample: Optional[SegDataSample] = None,
                       draw_gt: bool = True,
                       draw_pred: bool = True,
                       show: bool = False,
                       wait_time: float = 0,
                       out_file: Optional[str] = None,
                       step: int = 0,
                       with_labels: Optional[bool] = True) -> None:
        """Draw one sample and save or show it.

        Args:
            name (str): Image identifier.
            image (np.ndarray): RGB photograph (HxWx3).
            data_sample (SegDataSample, optional): With ``gt_sem_seg``,
                ``pred_sem_seg`` and ``gt_fov_mask`` where available.
            draw_gt (bool): Whether to use the label. Defaults to True.
            draw_pred (bool): Whether to use the prediction.
                Defaults to True.
            show (bool): Show in a window instead of saving.
                Defaults to False.
            wait_time (float): Seconds a shown window stays.
                Defaults to 0.
            out_file (str, optional): Write the picture there instead of to
                the backends. Defaults to None.
            step (int): Global step recorded by the backends.
                Defaults to 0.
            with_labels (bool, optional): Unused (no class names are drawn);
                kept for mmseg's signature.
        """
        sample = data_sample if data_sample is not None else SegDataSample()
        label = _mask(sample, 'gt_sem_seg') if draw_gt else None
        pred = _mask(sample, 'pred_sem_seg') if draw_pred else None
        colours = class_colours(self.dataset_meta)
        if label is not None and pred is not None:
            fov = _mask(sample, 'gt_fov_mask')
            drawn = np.concatenate(
                [image] + self._compared(pred, label, fov, colours), axis=1)
        else:
            mask = pred if pred is not None else label
            drawn = image if mask is None else overlay_classes(
                np.ascontiguousarray(image[..., ::-1]), mask,
                colours)[..., ::-1]
        drawn = np.ascontiguousarray(drawn)
        self.set_image(drawn)
        if show:
            self.show(drawn, win_name=name, wait_time=wait_time)
        if out_file is not None:
            mmcv.imwrite(mmcv.rgb2bgr(drawn), out_file)
        else:
            self.add_image(name, drawn, step)

    @staticmethod
    def _compared(pred: np.ndarray, label: np.ndarray,
                  fov: Optional[np.ndarray],
                  colours: List[tuple]) -> List[np.ndarray]:
        """The pictures put beside the photograph: the vessel comparison
        for two classes, else the label and the prediction painted."""
        if len(colours) == 2:
            return [vessel_comparison(pred, label, fov)]
        return [
            paint_classes(label, colours, fov),
            paint_classes(pred, colours, fov)
        ]


def _mask(sample: SegDataSample, key: str) -> Optional[np.ndarray]:
    """``sample.<key>`` as an HxW numpy array, or None."""
    if key not in sample:
        return None
    return sample.get(key).data[0].cpu().numpy()
