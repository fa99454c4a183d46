"""CachedLoad: the loading steps run once per sample, within a bound."""
import os
import shutil

import numpy as np
import pytest
from fundus_fixtures import LOAD, load
from mmcv.transforms import Compose

from setr_fundus.datasets import FundusVesselDataset


@pytest.fixture
def drive_copy(drive_root, tmp_path):
    return str(shutil.copytree(drive_root, tmp_path / 'DRIVE'))


def _cached(max_mib: float = 512) -> Compose:
    return Compose([
        dict(type='CachedLoad', transforms=LOAD, max_mib=max_mib),
        dict(type='RandomFlip', prob=1.0, direction='vertical'),
    ])


def test_second_access_needs_no_file_and_gives_the_same_arrays(drive_copy):
    test = FundusVesselDataset(data_root=drive_copy, split='test')
    infos = [test.get_data_info(i) for i in range(2)]
    expected = [load(info) for info in infos]
    pipeline = _cached()
    first = [pipeline(dict(info)) for info in infos]
    shutil.rmtree(os.path.join(drive_copy, 'test'))  # nothing left to read
    for _ in range(2):
        for info, want, before in zip(infos, expected, first):
            results = pipeline(dict(info))
            for key in ('img', 'gt_seg_map', 'gt_fov_mask'):
                np.testing.assert_array_equal(results[key], want[key][::-1])
                np.testing.assert_array_equal(results[key], before[key])
            assert results['seg_fields'] == ['gt_seg_map', 'gt_fov_mask']
            assert results['seg_fields'] is not before['seg_fields']
    cache = pipeline.transforms[0]
    assert cache.cached_bytes == sum(
        want[k].nbytes for want in expected
        for k in ('img', 'gt_seg_map', 'gt_fov_mask'))


def test_cached_arrays_are_read_only_not_copied(drive_root):
    info = FundusVesselDataset(data_root=drive_root).get_data_info(0)
    cache = Compose([dict(type='CachedLoad', transforms=LOAD)])
    first, second = cache(dict(info)), cache(dict(info))
    assert second['img'] is first['img']
    with pytest.raises(ValueError, match='read-only'):
        second['img'][0, 0] = 0


def test_samples_beyond_the_bound_are_loaded_every_time(drive_copy):
    info = FundusVesselDataset(
        data_root=drive_copy, split='test').get_data_info(0)
    pipeline = _cached(max_mib=0.001)  # smaller than any sample
    pipeline(dict(info))
    assert pipeline.transforms[0].cached_bytes == 0
    os.remove(info['img_path'])
    with pytest.raises(FileNotFoundError):
        pipeline(dict(info))


@pytest.mark.parametrize('kwargs', [dict(transforms=[]),
                                    dict(transforms=LOAD, max_mib=0)])
def test_invalid_arguments(kwargs):
    with pytest.raises(ValueError):
        Compose([dict(type='CachedLoad', **kwargs)])
