import functools
import os.path as osp
import tempfile

import numpy as np
import pytest
import torch
from fundus_fixtures import LOAD, sample, save
from mmengine.dataset import Compose

from setr_fundus.datasets import SyntheticFundusDataset

H, W = 64, 80


@functools.lru_cache()
def _coded_files() -> str:
    """A photograph whose blue channel is its label and green its FOV mask,
    written with both (PNG, so lossless)."""
    rng = np.random.default_rng(0)
    label = np.kron(rng.integers(0, 2, (H // 8, W // 8)), np.ones(
        (8, 8))).astype(np.uint8)
    fov = np.kron(rng.integers(0, 2, (H // 8, W // 8)), np.ones(
        (8, 8))).astype(np.uint8)
    bgr = np.full((H, W, 3), 100, np.uint8)
    bgr[..., 0], bgr[..., 1] = label * 255, fov * 255
    root = tempfile.mkdtemp(prefix='coded_')
    save(osp.join(root, 'coded.png'), np.ascontiguousarray(bgr[..., ::-1]))
    save(osp.join(root, 'coded_label.png'), label * 255)
    save(osp.join(root, 'coded_mask.png'), fov * 255)
    return root


def coded_info() -> dict:
    """The data info of the coded photograph (see ``_coded_files``)."""
    root = _coded_files()
    return dict(
        img_path=osp.join(root, 'coded.png'),
        seg_map_path=osp.join(root, 'coded_label.png'),
        fov_path=osp.join(root, 'coded_mask.png'),
        seg_fields=[],
        reduce_zero_label=False)


def load_then(*transforms: dict) -> dict:
    pipeline = Compose([*LOAD, *transforms])
    return pipeline(coded_info())


def assert_aligned(results: dict, exact: bool) -> None:
    img = results['img']
    assert img.shape[:2] == results['gt_seg_map'].shape
    assert img.shape[:2] == results['gt_fov_mask'].shape
    for channel, key in ((0, 'gt_seg_map'), (1, 'gt_fov_mask')):
        gt = results[key]
        if exact:
            np.testing.assert_array_equal(img[..., channel], gt * 255)
            continue
        decisive = ((img[..., channel] < 40) | (img[..., channel] > 215)) & (
            gt != 255)
        agree = (img[..., channel] > 127) == (gt == 1)
        assert agree[decisive].mean() > 0.995, key
        assert decisive.mean() > 0.5


def test_load_sets_keys_and_seg_fields():
    results = load_then()
    assert results['seg_fields'] == ['gt_seg_map', 'gt_fov_mask']
    assert results['img_shape'] == results['ori_shape'] == (H, W)
    assert_aligned(results, exact=True)


def test_load_decodes_files_and_derives_fov(tmp_path):
    rgb, vessel, fov = sample(21)
    info = dict(
        img_path=save(str(tmp_path / 'a.jpg'), rgb),
        seg_map_path=save(str(tmp_path / 'a.png'), vessel * 255),
        fov_path=None,
        seg_fields=[])
    results = Compose(LOAD)(info)
    np.testing.assert_array_equal(results['gt_seg_map'], vessel)
    assert results['img'].shape == rgb.shape
    iou = (results['gt_fov_mask'] & fov).sum() / (results['gt_fov_mask']
                                                  | fov).sum()
    assert iou > 0.9
    unlabeled = dict(img_path=info['img_path'], seg_fields=[])
    results = Compose(LOAD)(unlabeled)
    assert 'gt_seg_map' not in results
    assert results['seg_fields'] == ['gt_fov_mask']


def test_annotations_of_a_bare_array_as_mmseg_apis_pass_it():
    """``inference_model``/``MMSegInferencer`` give only ``img``."""
    rgb, _, fov = sample(23)
    results = Compose([
        dict(type='LoadImageFromNDArray'),
        dict(type='LoadFundusAnnotations'),
        dict(type='PackFundusInputs')
    ])(dict(img=np.ascontiguousarray(rgb[..., ::-1])))
    data_sample = results['data_samples']
    assert 'gt_sem_seg' not in data_sample
    derived = data_sample.gt_fov_mask.data[0].numpy()
    assert (derived & fov).sum() / (derived | fov).sum() > 0.9


def test_annotation_size_mismatch_names_files(tmp_path):
    rgb, vessel, _ = sample(24)
    info = dict(
        img_path=save(str(tmp_path / 'a.png'), rgb),
        seg_map_path=save(str(tmp_path / 'a_label.png'),
                          vessel[:-2] * 255))
    with pytest.raises(ValueError, match='a_label.png.*a.png'):
        Compose(LOAD)(info)


def test_rotate_keeps_label_and_fov_aligned():
    results = load_then(dict(type='RandomRotate', prob=1.0, degree=(25, 25)))
    assert_aligned(results, exact=False)
    padded = results['gt_seg_map'] == 255
    assert padded.any(), 'rotation should pad the corners'
    np.testing.assert_array_equal(padded, results['gt_fov_mask'] == 255)


def test_vertical_flip_and_crop_exact():
    info = load_then()
    results = load_then(
        dict(type='RandomFlip', prob=1.0, direction='vertical'))
    assert results['flip_direction'] == 'vertical'
    np.testing.assert_array_equal(results['gt_seg_map'],
                                  info['gt_seg_map'][::-1])
    assert_aligned(results, exact=True)
    results = load_then(dict(type='RandomCrop', crop_size=(32, 40)))
    assert results['img'].shape == (32, 40, 3)
    assert_aligned(results, exact=True)


def test_random_resize_moves_gt():
    results = load_then(
        dict(
            type='RandomResize',
            scale=(W, H),
            ratio_range=(1.5, 1.5),
            keep_ratio=True))
    assert results['img'].shape[:2] == (96, 120)
    assert_aligned(results, exact=False)


def test_keep_gt_original_leaves_gt_untouched():
    pipeline = Compose([
        LOAD[0],
        dict(type='LoadFundusAnnotations', keep_gt_original=True),
        dict(type='Resize', scale=(40, 32), keep_ratio=False),
        dict(type='PackFundusInputs')
    ])
    packed = pipeline(coded_info())
    assert packed['inputs'].shape == (3, 32, 40)
    assert packed['data_samples'].gt_sem_seg.data.shape == (1, H, W)
    assert packed['data_samples'].gt_fov_mask.data.shape == (1, H, W)
    assert packed['data_samples'].ori_shape == (H, W)


def test_pack_fundus_inputs_adds_fov():
    info = load_then()
    packed = load_then(dict(type='PackFundusInputs'))
    data_sample = packed['data_samples']
    assert packed['inputs'].shape == (3, H, W)
    fov = data_sample.gt_fov_mask.data
    assert fov.shape == (1, H, W) and fov.dtype == torch.uint8
    np.testing.assert_array_equal(fov[0].numpy(), info['gt_fov_mask'])
    np.testing.assert_array_equal(data_sample.gt_sem_seg.data[0].numpy(),
                                  info['gt_seg_map'])
    assert data_sample.img_path == coded_info()['img_path']


@pytest.mark.parametrize('index', [0, 1, 2])
def test_drive_style_train_pipeline_on_synthetic_set(index):
    np.random.seed(index)
    pipeline = [
        *LOAD,
        dict(type='ResizeToFOV', ratio_range=(0.5, 2.0)),
        dict(type='RandomRotate', prob=0.5, degree=20),
        dict(
            type='RandomFlip',
            prob=[0.5, 0.5],
            direction=['horizontal', 'vertical']),
        dict(type='RandomCrop', crop_size=(224, 224), cat_max_ratio=0.75),
        dict(type='PhotoMetricDistortion'),
        dict(type='CLAHE'),
        dict(type='PackFundusInputs')
    ]
    ds = SyntheticFundusDataset(
        num_train=2, num_test=1, holdout=0, pipeline=pipeline)
    packed = ds[index % len(ds)]
    data_sample = packed['data_samples']
    assert packed['inputs'].shape == (3, 224, 224)
    assert data_sample.gt_sem_seg.data.shape == (1, 224, 224)
    assert data_sample.gt_fov_mask.data.shape == (1, 224, 224)
    assert set(data_sample.gt_sem_seg.data.unique().tolist()) <= {0, 1, 255}
    assert (data_sample.gt_sem_seg.data == 1).any()
