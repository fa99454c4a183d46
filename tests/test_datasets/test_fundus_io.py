import os.path as osp

import numpy as np
import pytest
from fundus_fixtures import palette_gif, sample, save
from PIL import Image

from setr_fundus.datasets import fundus_io


@pytest.mark.parametrize('ext', ['.tif', '.png', '.ppm', '.ppm.gz', '.gif'])
def test_read_image_lossless_formats_bgr(tmp_path, ext):
    rgb, _, _ = sample(1)
    if ext == '.gif':  # GIF holds a palette: use a few exact colours
        rgb = np.zeros_like(rgb)
        rgb[5:20, 10:30] = (200, 90, 30)
    path = save(str(tmp_path / f'img{ext}'), rgb)
    img = fundus_io.read_image(path)
    assert img.dtype == np.uint8 and img.shape == rgb.shape
    np.testing.assert_array_equal(img, rgb[..., ::-1])


def test_read_image_jpeg_and_grey(tmp_path):
    rgb, _, _ = sample(2)
    img = fundus_io.read_image(save(str(tmp_path / 'a.jpg'), rgb))
    assert np.abs(img.astype(int) - rgb[..., ::-1]).mean() < 8
    grey = fundus_io.read_image(save(str(tmp_path / 'g.png'), rgb[..., 1]))
    assert grey.shape == rgb.shape
    np.testing.assert_array_equal(grey[..., 0], rgb[..., 1])


def test_read_image_16bit_scaled(tmp_path):
    arr = np.full((8, 9), 65535, dtype=np.uint16)
    arr[0, 0] = 0
    path = str(tmp_path / 'deep.png')
    Image.fromarray(arr).save(path)
    img = fundus_io.read_image(path)
    assert img.dtype == np.uint8 and img[1, 1, 0] == 255 and img[0, 0, 0] == 0


def test_label_value_variants_all_read_the_same(tmp_path):
    _, vessel, _ = sample(3)
    rgb_label = np.zeros(vessel.shape + (3, ), np.uint8)
    rgb_label[vessel == 1] = (0, 0, 255)
    paths = [
        save(str(tmp_path / 'l01.png'), vessel),
        save(str(tmp_path / 'l255.gif'), vessel * 255),
        save(str(tmp_path / 'l255.ppm.gz'), vessel * 255),
        save(str(tmp_path / 'bits.png'), vessel * 255, mode='1'),
        save(str(tmp_path / 'rgb.tif'), rgb_label),
        palette_gif(str(tmp_path / 'palette'), vessel),
    ]
    for path in paths:
        label = fundus_io.read_label(path)
        assert label.dtype == np.uint8, path
        np.testing.assert_array_equal(label, vessel, err_msg=path)


def test_label_with_jpeg_noise_is_accepted(tmp_path):
    _, vessel, _ = sample(4)
    path = str(tmp_path / 'noisy.jpg')
    Image.fromarray(vessel * 255).save(path, quality=90)
    label = fundus_io.read_label(path)
    assert set(np.unique(label)) <= {0, 1}
    assert (label == vessel).mean() > 0.97


def test_non_binary_label_raises_naming_file(tmp_path):
    rgb, _, _ = sample(5)
    path = save(str(tmp_path / 'grey_label.png'), rgb[..., 1])
    with pytest.raises(ValueError, match='grey_label.png.*not binary'):
        fundus_io.read_label(path)
    three = np.zeros((20, 30), np.uint8)
    three[:, 10:20], three[:, 20:] = 1, 2
    path = save(str(tmp_path / 'three.png'), three)
    with pytest.raises(ValueError, match='three.png'):
        fundus_io.read_label(path)


@pytest.mark.filterwarnings('ignore:Corrupt EXIF data')
def test_corrupt_and_missing_files_named(tmp_path):
    bad = tmp_path / 'broken.tif'
    bad.write_bytes(b'II*\x00 this is not a tiff')
    with pytest.raises(ValueError, match='broken.tif'):
        fundus_io.read_image(str(bad))
    truncated = tmp_path / 'cut.png'
    save(str(truncated), sample(6)[0])
    truncated.write_bytes(truncated.read_bytes()[:200])
    with pytest.raises(ValueError, match='cut.png'):
        fundus_io.read_image(str(truncated))
    bad_gz = tmp_path / 'x.ppm.gz'
    bad_gz.write_bytes(b'not gzip')
    with pytest.raises(ValueError, match='x.ppm.gz'):
        fundus_io.read_label(str(bad_gz))
    with pytest.raises(FileNotFoundError, match='missing.gif'):
        fundus_io.read_fov(str(tmp_path / 'missing.gif'))


def test_read_sample_size_mismatch_names_both(tmp_path):
    rgb, vessel, fov = sample(7)
    img_path = save(str(tmp_path / 'img.png'), rgb)
    small = save(str(tmp_path / 'small_label.png'), vessel[:-3] * 255)
    with pytest.raises(ValueError) as err:
        fundus_io.read_sample(img_path, small)
    message = str(err.value)
    assert 'small_label.png' in message and 'img.png' in message
    assert str(vessel[:-3].shape) in message and str(vessel.shape) in message
    label_path = save(str(tmp_path / 'label.png'), vessel * 255)
    mask_path = save(str(tmp_path / 'mask.gif'), fov[:, :-1] * 255)
    with pytest.raises(ValueError, match='FOV mask .*mask.gif'):
        fundus_io.read_sample(img_path, label_path, mask_path)
    ok_mask = save(osp.join(tmp_path, 'ok.gif'), fov * 255)
    img, label, got_fov = fundus_io.read_sample(img_path, label_path, ok_mask)
    np.testing.assert_array_equal(img, rgb[..., ::-1])
    np.testing.assert_array_equal(label, vessel)
    np.testing.assert_array_equal(got_fov, fov)
    assert fundus_io.read_sample(img_path, None)[1] is None
