import numpy as np
import pytest

from setr_fundus.datasets.synthetic import generate_fundus
from setr_fundus.datasets.transforms import RandomCameraDistortion


def image():
    return generate_fundus(2, (64, 60))[0]


def test_all_off_is_the_identity():
    img = image()
    off = RandomCameraDistortion(
        gamma_range=None, channel_gain=0, blur_sigma=None, noise_prob=0)
    np.testing.assert_array_equal(off(dict(img=img.copy()))['img'], img)


def test_gamma_and_gain_keep_black_black_and_change_the_rest():
    img = image()
    img[:4] = 0
    transform = RandomCameraDistortion(
        gamma_range=(0.5, 0.5), channel_gain=0.0, blur_prob=0, noise_prob=0)
    out = transform(dict(img=img.copy()))['img']
    assert (out[:4] == 0).all()
    expected = np.clip(255 * (img / 255.0)**0.5 + 0.5, 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(out, expected)


def test_channel_gain_changes_channels_independently():
    np.random.seed(0)
    img = np.full((8, 8, 3), 100, np.uint8)
    out = RandomCameraDistortion(
        gamma_range=None, channel_gain=0.2, blur_prob=0,
        noise_prob=0)(dict(img=img))['img']
    values = out[0, 0].astype(int)
    assert len(set(values.tolist())) == 3
    assert (np.abs(values - 100) <= 20).all()


def test_blur_and_noise_keep_uint8_shape():
    np.random.seed(1)
    img = image()
    out = RandomCameraDistortion(blur_prob=1, noise_prob=1)(dict(img=img))
    assert out['img'].dtype == np.uint8 and out['img'].shape == img.shape
    assert not np.array_equal(out['img'], img)


@pytest.mark.parametrize('kwargs', [
    dict(gamma_range=(1.5, 0.5)),
    dict(channel_gain=1.5),
    dict(blur_sigma=(-1, 1)),
    dict(noise_prob=2),
])
def test_invalid_arguments(kwargs):
    with pytest.raises(ValueError, match='RandomCameraDistortion'):
        RandomCameraDistortion(**kwargs)
