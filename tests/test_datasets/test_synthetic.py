import os.path as osp

import cv2
import numpy as np
import pytest
from PIL import Image

from setr_fundus.datasets.synthetic import (generate_fundus,
                                            synthetic_sample_seed,
                                            write_drive_layout)


def test_generate_is_deterministic_and_seed_dependent():
    first = generate_fundus(3, (96, 96))
    again = generate_fundus(3, (96, 96))
    other = generate_fundus(4, (96, 96))
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])


@pytest.mark.parametrize('size', [(96, 96), (72, 120)])
def test_generate_shapes_and_values(size):
    img, vessel, fov = generate_fundus(0, size)
    assert img.shape == size + (3, ) and img.dtype == np.uint8
    assert vessel.shape == fov.shape == size
    assert set(np.unique(vessel)) == {0, 1} and set(np.unique(fov)) == {0, 1}
    assert not np.any(vessel & (1 - fov)), 'vessels outside the FOV'
    # dark surround, bright red fundus, vessels darker in green
    assert img[fov == 0].mean() < 15
    inside = (fov == 1) & (vessel == 0)
    assert img[inside][:, 2].mean() > img[inside][:, 1].mean() > 30
    assert img[vessel == 1][:, 1].mean() < img[inside][:, 1].mean() - 8


def test_vessel_widths_range_from_thick_to_one_pixel():
    _, vessel, _ = generate_fundus(1, (292, 282))
    padded = np.pad(vessel, 1)
    centre = padded[1:-1, 1:-1] == 1
    thin_h = centre & (padded[1:-1, :-2] == 0) & (padded[1:-1, 2:] == 0)
    thin_v = centre & (padded[:-2, 1:-1] == 0) & (padded[2:, 1:-1] == 0)
    assert (thin_h | thin_v).sum() > 100, 'no 1 px vessels'
    thick = cv2.erode(vessel, np.ones((3, 3), np.uint8))
    assert thick.sum() > 50, 'no vessels at least 3 px wide'
    assert 0.02 < vessel.mean() < 0.2


def test_generate_rejects_tiny_size():
    with pytest.raises(ValueError, match='at least 32'):
        generate_fundus(0, (16, 64))


def test_sample_seeds_differ_per_split_and_index():
    seeds = {
        synthetic_sample_seed(0, s, i)
        for s in ('train', 'test')
        for i in range(5)
    }
    assert len(seeds) == 10
    assert synthetic_sample_seed(0, 'val',
                                 2) == synthetic_sample_seed(0, 'test', 2)


def test_write_drive_layout_true_formats(tmp_path):
    written = write_drive_layout(
        str(tmp_path), num_train=2, num_test=1, size=(48, 40), seed=5)
    assert [osp.basename(p) for p in written
            ] == ['01_test.tif', '02_training.tif', '03_training.tif']
    label = Image.open(tmp_path / 'training' / '1st_manual' / '02_manual1.gif')
    mask = Image.open(tmp_path / 'training' / 'mask' / '02_training_mask.gif')
    image = Image.open(tmp_path / 'training' / 'images' / '02_training.tif')
    assert label.format == 'GIF' and mask.format == 'GIF'
    assert image.format == 'TIFF' and image.mode == 'RGB'
    assert set(np.unique(np.asarray(label.convert('L')))) == {0, 255}
    img, vessel, fov = generate_fundus(
        synthetic_sample_seed(5, 'train', 0), (48, 40))
    np.testing.assert_array_equal(np.asarray(image)[..., ::-1], img)
    np.testing.assert_array_equal(np.asarray(label.convert('L')), vessel * 255)
    np.testing.assert_array_equal(np.asarray(mask.convert('L')), fov * 255)
