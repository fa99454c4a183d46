import os.path as osp

import cv2
import numpy as np
import pytest
from mmcv.transforms import Compose
from mmengine.registry import init_default_scope

import setr_fundus  # noqa: F401
from setr_fundus.apis import PhotoDataset, first_item, photo_dataloader
from setr_fundus.datasets import PhotoLoader, generate_fundus

PIPELINE = [
    dict(type='LoadImageFromNDArray'),
    dict(type='LoadFundusAnnotations', keep_gt_original=True),
    dict(type='ResizeToFOV', fov_diameter=32),
    dict(type='PackFundusInputs')
]


@pytest.fixture
def dataset(tmp_path) -> PhotoDataset:
    init_default_scope('mmseg')
    items = []
    for i, size in enumerate([(40, 50), (64, 48), (50, 50)]):
        path = str(tmp_path / f'p{i}.png')
        cv2.imwrite(path, generate_fundus(i, size)[0])
        items.append((path, f'p{i}'))
    (tmp_path / 'broken.png').write_bytes(b'not a png')
    items.insert(1, (str(tmp_path / 'broken.png'), 'broken'))
    return PhotoDataset(items, PhotoLoader.default(), Compose(PIPELINE))


def test_items_carry_the_photograph_or_the_error(dataset):
    assert len(dataset) == 4
    item = dataset[0]
    assert item['stem'] == 'p0' and item['img'].shape == (40, 50, 3)
    assert item['data']['inputs'].shape[0] == 3
    assert 'fov_circle' in item['data']['data_samples'].metainfo
    assert item['seconds'] > 0
    broken = dataset[1]
    assert set(broken) == {'path', 'stem', 'error', 'seconds'}
    assert broken['error'].startswith('ValueError: ')
    assert osp.basename(broken['path']) in broken['error']


def test_workers_give_the_items_in_order(dataset):
    assert first_item([{'a': 1}]) == {'a': 1}
    in_process = list(photo_dataloader(dataset, 0))
    workers = list(photo_dataloader(dataset, 2))
    assert [i['stem'] for i in workers] == ['p0', 'broken', 'p1', 'p2']
    for a, b in zip(in_process, workers):
        assert a.keys() == b.keys()
        if 'img' in a:
            np.testing.assert_array_equal(a['img'], b['img'])
            assert b['img'].ndim == 3  # not stacked into a batch
            assert (a['data']['inputs'] == b['data']['inputs']).all()
    with pytest.raises(ValueError, match='num_workers'):
        photo_dataloader(dataset, -1)
