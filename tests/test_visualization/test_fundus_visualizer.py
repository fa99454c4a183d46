import numpy as np
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from setr_fundus.datasets import FundusVesselDataset
from setr_fundus.visualization import (INSIDE_FOV, FundusVisualizer,
                                       paint_classes, vessel_comparison)
from setr_fundus.visualization.fundus_visualizer import (FALSE_VESSEL,
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
    # green at 70 % opacity where predicted: 90 * 0.3 + 255 * 0.7
    np.testing.assert_array_equal(drawn[vessel], [[27, 206, 27]] * 3)
    np.testing.assert_array_equal(drawn[~vessel], image[~vessel])


def test_visualizer_defaults_to_the_vessel_classes():
    # mmseg's SegLocalVisualizer would default to Cityscapes' 19 classes
    vis = FundusVisualizer(name='test_default_meta')
    assert vis.dataset_meta == {
        'classes': FundusVesselDataset.METAINFO['classes'],
        'palette': FundusVesselDataset.METAINFO['palette']
    }
    vis = FundusVisualizer(
        name='test_given_meta', classes=['a', 'b', 'c'], palette=[[0] * 3] * 3)
    assert vis.dataset_meta['classes'] == ['a', 'b', 'c']


AV_META = dict(
    classes=('background', 'artery', 'vein'),
    palette=[[0, 0, 0], [255, 0, 0], [0, 0, 255]])
AV_PRED = np.array([[1, 2, 0, 0], [0, 2, 1, 1]])
AV_LABEL = np.array([[1, 1, 2, 0], [0, 2, 255, 2]])


def test_visualizer_paints_label_and_prediction_of_more_classes():
    vis = FundusVisualizer(name='test_av')
    vis.dataset_meta = AV_META  # as the runner's loops set it
    image = np.full((2, 4, 3), 90, np.uint8)
    vis.add_datasample('x', image, _sample(AV_PRED, AV_LABEL, FOV))
    drawn = vis.get_image()
    assert drawn.shape == (2, 12, 3)
    np.testing.assert_array_equal(drawn[:, :4], image)
    colours = [tuple(c) for c in AV_META['palette']]
    np.testing.assert_array_equal(drawn[:, 4:8],
                                  paint_classes(AV_LABEL, colours, FOV))
    np.testing.assert_array_equal(drawn[:, 8:],
                                  paint_classes(AV_PRED, colours, FOV))
    # a vein pixel is drawn as vein, not as background
    assert tuple(drawn[1, 8 + 1]) == (0, 0, 255)


def test_visualizer_overlays_more_classes_in_their_colours():
    vis = FundusVisualizer(name='test_av_overlay')
    vis.dataset_meta = AV_META
    image = np.full((2, 4, 3), 90, np.uint8)
    vis.add_datasample('x', image, _sample(AV_PRED), draw_gt=False)
    drawn = vis.get_image()
    np.testing.assert_array_equal(drawn[AV_PRED == 1], [[206, 27, 27]] * 3)
    np.testing.assert_array_equal(drawn[AV_PRED == 2], [[27, 27, 206]] * 2)
    np.testing.assert_array_equal(drawn[AV_PRED == 0], [[90, 90, 90]] * 3)
