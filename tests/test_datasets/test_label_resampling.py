import cv2
import numpy as np
import pytest

from setr_fundus.datasets import resample_label


@pytest.mark.parametrize('size', [(17, 13), (40, 30), (90, 70)])
@pytest.mark.parametrize('threshold', [0.5, 0.3])
def test_binary_maps_keep_the_threshold_rule(size, threshold):
    """Pins the binary behaviour: area / bilinear fraction >= threshold."""
    label = (np.random.default_rng(0).random((45, 60)) > 0.7).astype(np.uint8)
    shrink = size[0] * size[1] < label.size
    fraction = cv2.resize(
        label.astype(np.float32), size,
        interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)
    out = resample_label(label, size, threshold)
    assert out.dtype == np.uint8 and out.shape == size[::-1]
    np.testing.assert_array_equal(out, fraction >= threshold)


def test_classes_take_the_largest_fraction_and_ties_go_high():
    label = np.array([[1, 1, 2, 2], [1, 0, 2, 255], [3, 3, 0, 0],
                      [3, 0, 0, 255]], np.uint8)
    np.testing.assert_array_equal(
        resample_label(label, (2, 2)), [[1, 2], [3, 0]])
    tie = np.array([[1, 2], [2, 1]], np.uint8)
    assert resample_label(tie, (1, 1)).item() == 2
    padded = np.array([[0, 255], [255, 1]], np.uint8)
    assert resample_label(padded, (1, 1)).item() == 255
    np.testing.assert_array_equal(resample_label(label, (4, 4)), label)
    with pytest.raises(ValueError, match='threshold'):
        resample_label(label, (2, 2), threshold=0.4)


def test_checkerboard_ties_split_exact_halves():
    label = np.zeros((4, 8), np.uint8)
    label[:, :3] = 1  # column 1 of the half-size map is half vessel
    out = resample_label(label, (4, 2), checkerboard_ties=True)
    np.testing.assert_array_equal(out, [[1, 0, 0, 0], [1, 1, 0, 0]])
    np.testing.assert_array_equal(
        resample_label(label, (4, 2)), [[1, 1, 0, 0], [1, 1, 0, 0]])
