import numpy as np
import pytest

from setr_fundus.datasets.synthetic import generate_fundus
from setr_fundus.datasets.transforms import StandardizeFOVColour

MEAN, STD = [60, 100, 180], [12, 20, 30]


def standardize(img, fov=None):
    results = dict(img=img, img_path='photo.png')
    if fov is not None:
        results['gt_fov_mask'] = fov
    return StandardizeFOVColour(MEAN, STD)(results)['img']


def test_the_fov_gets_the_target_mean_and_spread_of_each_channel():
    img, _, fov = generate_fundus(seed=1, size=(96, 96))
    out = standardize(img, fov)
    inside = out[fov > 0].astype(np.float32)
    assert out.dtype == np.uint8
    # rounding, and clipping at 0 and 255, move them only a little here
    np.testing.assert_allclose(inside.mean(axis=0), MEAN, atol=1.5)
    np.testing.assert_allclose(inside.std(axis=0), STD, atol=1.5)
    # the surround stays as it was (black), so a FOV derived later holds
    np.testing.assert_array_equal(out[fov == 0], img[fov == 0])


def test_a_darker_flatter_exposure_of_the_same_retina_comes_out_the_same():
    img, _, fov = generate_fundus(seed=2, size=(96, 96))
    darker = np.rint(img * 0.5 + np.float32([5, 10, 20])).astype(np.uint8)
    bright, dark = standardize(img, fov), standardize(darker, fov)
    # equal but for the rounding of the darker photograph's halved levels
    difference = np.abs(bright[fov > 0].astype(int) - dark[fov > 0])
    assert difference.max() <= 3 and difference.mean() < 1


def test_pixels_outside_the_fov_do_not_count():
    img, _, fov = generate_fundus(seed=3, size=(96, 96))
    flare = img.copy()
    flare[fov == 0] = 255
    np.testing.assert_array_equal(
        standardize(img, fov)[fov > 0],
        standardize(flare, fov)[fov > 0])


def test_without_a_matching_fov_mask_the_fov_is_derived_from_the_image():
    img, _, fov = generate_fundus(seed=4, size=(128, 128))
    derived = standardize(img)
    stale = standardize(img, np.ones((7, 7), np.uint8))
    np.testing.assert_array_equal(derived, stale)
    np.testing.assert_allclose(
        derived[fov > 0].astype(np.float32).mean(axis=0), MEAN, atol=8)


def test_bad_settings_and_an_empty_fov_are_named():
    with pytest.raises(ValueError, match='positive standard deviations'):
        StandardizeFOVColour(MEAN, [10, 0, 10])
    with pytest.raises(ValueError, match='3 means'):
        StandardizeFOVColour([1, 2], STD)
    img, _, fov = generate_fundus(seed=5, size=(64, 64))
    with pytest.raises(ValueError, match='photo.png: no field of view'):
        standardize(img, np.zeros_like(fov))


def test_a_large_photograph_gets_the_target_mean_and_spread():
    """Statistics over millions of FOV pixels stay exact (a float32 sum
    along them drifted by several levels on HRF's 3504x2336)."""
    rng = np.random.default_rng(0)
    img = np.clip(rng.normal([30, 55, 195], [7, 13, 25], (2336, 3504, 3)),
                  0, 255).astype(np.uint8)
    fov = np.ones(img.shape[:2], np.uint8)
    out = standardize(img, fov).reshape(-1, 3).astype(np.float64)
    np.testing.assert_allclose(out.mean(axis=0), MEAN, atol=0.3)
    np.testing.assert_allclose(out.std(axis=0), STD, atol=0.3)
