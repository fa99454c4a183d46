import cv2
import numpy as np
import pytest
from mmengine.dataset import Compose

from setr_fundus.datasets.fov_geometry import FOVCircle, circle_mask
from setr_fundus.datasets.synthetic import generate_fundus
from setr_fundus.datasets.transforms import ResizeToFOV


def photograph(scale: float = 1.0, seed: int = 0):
    """A synthetic photograph (FOV ~0.92 of its width) taken by a camera
    with ``scale`` times the pixels: image, label and FOV mask."""
    img, label, fov = generate_fundus(seed, (96, 90))
    size = (round(90 * scale), round(96 * scale))
    return (cv2.resize(img, size, interpolation=cv2.INTER_CUBIC),
            cv2.resize(label, size, interpolation=cv2.INTER_NEAREST),
            cv2.resize(fov, size, interpolation=cv2.INTER_NEAREST))


def results_of(img, label, fov, seg_fields=('gt_seg_map', 'gt_fov_mask')):
    return dict(
        img=img,
        gt_seg_map=label,
        gt_fov_mask=fov,
        seg_fields=list(seg_fields),
        img_path='photo.png',
        ori_shape=img.shape[:2],
        img_shape=img.shape[:2])


@pytest.mark.parametrize('scale', [1.0, 2.0, 4.0])
def test_every_camera_ends_at_one_fov_diameter(scale):
    img, label, fov = photograph(scale)
    out = ResizeToFOV(fov_diameter=60)(results_of(img, label, fov))
    cx, cy, diameter = out['fov_circle']
    assert diameter == pytest.approx(fov.any(axis=0).sum(), rel=0.01)
    w_scale, h_scale = out['scale_factor']
    assert diameter * w_scale == pytest.approx(60, abs=0.5)
    assert out['img'].shape[:2] == out['img_shape'] == out['gt_seg_map'].shape
    # the same retina at every resolution: same normalised size and vessels
    reference = ResizeToFOV(fov_diameter=60)(results_of(*photograph(1.0)))
    assert abs(out['img'].shape[0] - reference['img'].shape[0]) <= 1
    vessel = out['gt_seg_map'][out['gt_fov_mask'] == 1].mean()
    expected = reference['gt_seg_map'][reference['gt_fov_mask'] == 1].mean()
    assert vessel == pytest.approx(expected, rel=0.1)
    assert out['ori_shape'] == img.shape[:2]


def test_ratio_range_draws_the_diameter_around_the_target():
    img, label, fov = photograph(2.0)
    transform = ResizeToFOV(fov_diameter=100, ratio_range=(0.5, 1.5))
    diameters = set()
    for seed in range(20):
        np.random.seed(seed)
        out = transform(results_of(img.copy(), label.copy(), fov.copy()))
        diameters.add(round(out['fov_circle'][2] * out['scale_factor'][0]))
    assert min(diameters) >= 49 and max(diameters) <= 151
    assert len(diameters) > 10


@pytest.mark.parametrize('size,regime', [((96, 90), 'least'),
                                         ((192, 180), 'half'),
                                         ((384, 360), 'most')])
def test_scale_follows_the_photographs_resolution(size, regime):
    """Photographs drawn with detail at their own pixels, FOV about 85, 170
    and 340 px: segmented at half of it, at least 60 (the small one
    enlarged as before) and at most 100."""
    img, label, fov = generate_fundus(0, size)
    transform = ResizeToFOV(
        fov_diameter=60, max_fov_diameter=100, native_fraction=0.5)
    out = transform(results_of(img, label, fov))
    diameter = out['fov_circle'][2]
    expected = dict(least=60, half=diameter / 2, most=100)[regime]
    assert diameter * out['scale_factor'][0] == pytest.approx(
        expected, abs=0.5)
    assert out['img'].shape[:2] == out['gt_seg_map'].shape


def test_an_enlarged_photograph_is_segmented_at_the_least_scale():
    """The 85 px photograph enlarged 4x (bicubic) has 340 px across its FOV
    but no finer detail: 60, not 100."""
    img, label, fov = photograph(4.0)
    out = ResizeToFOV(
        fov_diameter=60, max_fov_diameter=100)(results_of(img, label, fov))
    assert out['fov_circle'][2] * out['scale_factor'][0] == pytest.approx(
        60, abs=0.5)


def test_thin_vessels_survive_shrinking():
    """A 1-px line at half the pixels: nearest neighbour keeps every other
    pixel's row only by luck; area averaging + threshold keeps it whole."""
    label = np.zeros((200, 200), np.uint8)
    label[101, 20:180] = 1
    fov = circle_mask(FOVCircle(99.5, 99.5, 180.0), (200, 200))
    img = np.stack([fov * 150] * 3, axis=2).astype(np.uint8)
    out = ResizeToFOV(fov_diameter=90)(results_of(img, label, fov))
    line = out['gt_seg_map'][:, 15:85]
    assert line.any(axis=0).all()  # no gap along the line
    assert line.sum(axis=0).max() <= 2  # and not smeared


def test_test_pipeline_keeps_label_and_mask_at_original_resolution():
    img, label, fov = photograph(3.0)
    out = ResizeToFOV(fov_diameter=60)(results_of(img, label, fov, ()))
    assert out['gt_seg_map'] is label and out['gt_fov_mask'] is fov
    assert out['img'].shape[0] < img.shape[0] / 3


def test_fov_is_derived_when_there_is_no_mask():
    img, label, fov = photograph(2.0)
    results = results_of(img, label, None, ['gt_seg_map'])
    del results['gt_fov_mask']
    out = ResizeToFOV(fov_diameter=60)(results)
    assert out['fov_circle'][2] == pytest.approx(fov.any(0).sum(), abs=3.0)


def test_works_in_a_compose_and_with_the_pack_step():
    img, label, fov = photograph(2.0)
    pipeline = Compose([
        dict(type='ResizeToFOV', fov_diameter=60),
        dict(type='PackFundusInputs')
    ])
    packed = pipeline(results_of(img, label, fov))
    meta = packed['data_samples'].metainfo
    assert len(meta['fov_circle']) == 3
    assert tuple(packed['inputs'].shape[1:]) == meta['img_shape']


def test_padded_and_multi_class_maps_keep_their_classes():
    img, label, fov = photograph()
    label = label * 2  # vessel class 2
    label[:10] = 255  # padded by a rotation
    out = ResizeToFOV(fov_diameter=40)(results_of(img, label, fov))
    assert set(np.unique(out['gt_seg_map'])) == {0, 2, 255}
    with pytest.raises(ValueError, match='threshold'):
        ResizeToFOV(label_threshold=0.4)(results_of(img, label, fov))


def test_no_visible_field_of_view_names_the_photograph():
    img, label, fov = photograph()
    with pytest.raises(ValueError, match='no visible field of view in'):
        ResizeToFOV()(results_of(img * 0, label, fov * 0))


@pytest.mark.parametrize('kwargs', [
    dict(fov_diameter=8),
    dict(fov_diameter='540'),
    dict(ratio_range=(1.5, 0.5)),
    dict(ratio_range=(0, 1)),
    dict(label_threshold=1.0),
    dict(fov_diameter=540, max_fov_diameter=400),
    dict(max_fov_diameter='1620'),
    dict(max_fov_diameter=1620, native_fraction=0),
    dict(native_fraction=1.5),
])
def test_invalid_arguments(kwargs):
    with pytest.raises(ValueError, match='ResizeToFOV'):
        ResizeToFOV(**kwargs)
