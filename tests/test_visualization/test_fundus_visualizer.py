import numpy as np
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from setr_fundus.visualization import FundusVisualizer, vessel_comparison
from setr_fundus.visualization.fundus_visualizer import (FALSE_VESSEL,
                                                         INSIDE_FOV,
                                                         MISSED_VESSEL,
                                                         TRUE_VESSEL)


def _sample(pred=None, label=None, fov=None) -> SegDataSample:
    sample = SegDataSample()
    for key, value in (('pred_sem_seg', pred), ('gt_sem_seg', label),
                       ('gt_fov_mask', fov)):
        if value is not None:
            data = torch.as_tensor(value)[None]
            sample.set_data({key: PixelData(data=data)})
    return sample


PRED = np.array([[1, 1, 0, 0], [0, 0, 0, 1]])
LABEL = np.array([[1, 0, 1, 0], [0, 0, 255, 1]])
FOV = np.array([[1, 1, 1, 1], [0, 1, 1, 1]])


def test_comparison_colours_each_outcome():
    out = vessel_comparison(PRED, LABEL, FOV)
    expected = [[TRUE_VESSEL, FALSE_VESSEL, MISSED_VESSEL, INSIDE_FOV],
                [(0, 0, 0), INSIDE_FOV, INSIDE_FOV, TRUE_VESSEL]]
    np.testing.assert_array_equal(out, np.array(expected, np.uint8))
    # without a FOV every pixel is inside
    assert tuple(vessel_comparison(PRED, LABEL)[1, 0]) == INSIDE_FOV


def test_visualizer_puts_photo_beside_comparison(tmp_path):
    vis = FundusVisualizer(name='test_side_by_side')
    image = np.full((2, 4, 3), 90, np.uint8)
    out_file = tmp_path / 'cmp.png'
    vis.add_datasample(
        'x', image, _sample(PRED, LABEL, FOV), out_file=str(out_file))
    drawn = vis.get_image()
    assert drawn.shape == (2, 8, 3)
    np.testing.assert_array_equal(drawn[:, :4], image)
    np.testing.assert_array_equal(drawn[:, 4:],
                                  vessel_comparison(PRED, LABEL, FOV))
    assert out_file.is_file()


def test_visualizer_overlays_a_prediction_without_label():
    vis = FundusVisualizer(name='test_overlay')
    image = np.full((2, 4, 3), 90, np.uint8)
    vis.add_datasample('x', image, _sample(PRED, LABEL), draw_gt=False)
    drawn = vis.get_image()
    assert drawn.shape == image.shape
    vessel = PRED == 1
    assert (drawn[vessel][:, 1] > 90).all()  # green where predicted
    np.testing.assert_array_equal(drawn[~vessel], image[~vessel])
