import os
import os.path as osp
import shutil

import numpy as np
import pytest
from fundus_fixtures import SIZE, palette_gif, sample, save, write_folder

from setr_fundus.datasets import FundusVesselDataset, fundus_io

LOAD = [dict(type='LoadImageFromFile'), dict(type='LoadFundusAnnotations')]


def check_binary_sample(info: dict) -> None:
    assert info['img'].dtype == np.uint8 and info['img'].shape == SIZE + (3, )
    assert set(np.unique(info['gt_seg_map'])) == {0, 1}
    assert set(np.unique(info['gt_fov_mask'])) == {0, 1}
    assert info['gt_fov_mask'].mean() > 0.4
    assert info['reduce_zero_label'] is False and info['seg_fields'] == []


def test_synthetic_tool_folder_is_detected_as_drive(drive_root):
    train = FundusVesselDataset(data_root=drive_root, split='train')
    test = FundusVesselDataset(data_root=drive_root, split='test')
    val = FundusVesselDataset(data_root=drive_root, split='val')
    assert train.resolved_layout == test.resolved_layout == 'drive'
    # 3 training images: the last one (20 %, at least 1) is held out
    assert (len(train), len(val), len(test)) == (2, 1, 2)
    assert train.data_root == drive_root
    info = train.get_data_info(0)
    check_binary_sample(info)
    assert info['img_path'].endswith(osp.join('images', '03_training.tif'))
    assert info['fov_path'].endswith('03_training_mask.gif')
    assert val.get_data_info(0)['img_path'].endswith('05_training.tif')
    # the written folder holds exactly the in-memory synthetic images
    memory = FundusVesselDataset(
        layout='synthetic',
        synthetic=dict(num_train=3, num_test=2, size=SIZE, seed=7))
    for key in ('img', 'gt_seg_map', 'gt_fov_mask'):
        np.testing.assert_array_equal(
            memory.get_data_info(1)[key],
            train.get_data_info(1)[key])


def test_chase_db1_split_20_8_and_annotators(chase_root):
    train = FundusVesselDataset(data_root=chase_root, split='train')
    test = FundusVesselDataset(data_root=chase_root, split='test')
    val = FundusVesselDataset(data_root=chase_root, split='val')
    assert train.resolved_layout == 'chase_db1'
    assert (len(train), len(val), len(test)) == (16, 4, 8)
    assert train.get_data_info(15)['img_path'].endswith('Image_08R.jpg')
    assert val.get_data_info(0)['img_path'].endswith('Image_09L.jpg')
    first_test = test.get_data_info(0)
    assert first_test['img_path'].endswith('Image_11L.jpg')
    assert first_test['seg_map_path'].endswith('Image_11L_1stHO.png')
    assert first_test['fov_path'] is None
    check_binary_sample(first_test)
    second = FundusVesselDataset(
        data_root=chase_root, split='test', annotator=2).get_data_info(0)
    assert second['seg_map_path'].endswith('Image_11L_2ndHO.png')
    np.testing.assert_array_equal(second['gt_seg_map'],
                                  first_test['gt_seg_map'])


def test_stare_split_10_10_in_subfolders_with_gz(stare_root):
    train = FundusVesselDataset(data_root=stare_root, split='train')
    test = FundusVesselDataset(data_root=stare_root, split='test', annotator=2)
    val = FundusVesselDataset(data_root=stare_root, split='val')
    assert train.resolved_layout == 'stare'
    assert (len(train), len(val), len(test)) == (8, 2, 10)
    names = [
        osp.basename(train.get_data_info(i)['img_path']) for i in range(8)
    ]
    assert names[:2] == ['im0001.ppm', 'im0002.ppm.gz']
    assert names[-1] == 'im0081.ppm.gz'
    assert osp.basename(
        val.get_data_info(1)['img_path']) == 'im0139.ppm.gz'
    info = test.get_data_info(0)
    assert osp.basename(info['img_path']).startswith('im0162')
    assert info['seg_map_path'].endswith('im0162.vk.ppm.gz')
    check_binary_sample(info)


def test_hrf_five_per_category_train(hrf_root):
    train = FundusVesselDataset(data_root=hrf_root, split='train')
    val = FundusVesselDataset(data_root=hrf_root, split='val')
    test = FundusVesselDataset(data_root=hrf_root, split='test')
    assert train.resolved_layout == 'hrf'
    assert (len(train), len(val), len(test)) == (12, 3, 30)
    stems = [
        osp.basename(train.get_data_info(i)['img_path']) for i in range(12)
    ]
    # listed by number, then category, so the hold-out spans categories
    assert stems[:4] == ['01_dr.JPG', '01_g.jpg', '01_h.jpg', '02_dr.JPG']
    assert [osp.basename(val.get_data_info(i)['img_path'])
            for i in range(3)] == ['05_dr.JPG', '05_g.jpg', '05_h.jpg']
    info = test.get_data_info(0)
    assert info['fov_path'].endswith('06_dr_mask.tif')
    check_binary_sample(info)
    with pytest.raises(ValueError, match="'hrf' has 1 annotator"):
        FundusVesselDataset(data_root=hrf_root, annotator=2)


def test_folder_layout_with_and_without_split_dirs(tmp_path):
    flat = write_folder(str(tmp_path / 'flat'), 3, 400, palette_gif)
    ds = FundusVesselDataset(data_root=flat, split='test')
    assert ds.resolved_layout == 'folder' and len(ds) == 3
    info = ds.get_data_info(2)
    assert info['seg_map_path'].endswith('case2.gif')
    assert info['fov_path'].endswith('case2_mask.png')
    check_binary_sample(info)
    np.testing.assert_array_equal(info['gt_seg_map'], sample(402)[1])

    def label01(stem, vessel):
        return save(stem + '.png', vessel)

    split_root = tmp_path / 'split'
    write_folder(str(split_root / 'train'), 2, 500, label01)
    write_folder(str(split_root / 'test'), 1, 600, label01)
    shutil.rmtree(split_root / 'test' / 'masks')
    assert len(FundusVesselDataset(data_root=str(split_root))) == 1
    val = FundusVesselDataset(data_root=str(split_root), split='val')
    assert val.get_data_info(0)['img_path'].endswith(
        osp.join('train', 'images', 'case1.png'))
    test = FundusVesselDataset(data_root=str(split_root), split='test')
    assert len(test) == 1 and test.get_data_info(0)['fov_path'] is None
    check_binary_sample(test.get_data_info(0))
    # a val/ folder of its own: validation there, training on all of train/
    write_folder(str(split_root / 'val'), 2, 700, label01)
    assert len(FundusVesselDataset(data_root=str(split_root))) == 2
    own_val = FundusVesselDataset(data_root=str(split_root), split='val')
    assert own_val.get_data_info(1)['img_path'].endswith(
        osp.join('val', 'images', 'case1.png'))


def test_synthetic_layout_in_memory():
    ds = FundusVesselDataset(
        layout='synthetic',
        split='test',
        cache=False,
        synthetic=dict(num_train=1, num_test=2, size=(64, 72)))
    assert len(ds) == 2 and ds.resolved_layout == 'synthetic'
    info = ds.get_data_info(1)
    assert info['img'].shape == (64, 72, 3) and info['fov_path'] is None
    assert info['gt_seg_map'].sum() > 0
    with pytest.raises(ValueError, match='unknown synthetic setting'):
        FundusVesselDataset(layout='synthetic', synthetic=dict(count=3))


def test_cache_means_no_decoding_after_construction(drive_root, monkeypatch):
    ds = FundusVesselDataset(data_root=drive_root, pipeline=LOAD)

    def refuse(path, kind):
        raise AssertionError(f'decoded {path} after construction')

    monkeypatch.setattr(fundus_io, '_open', refuse)
    for _ in range(2):
        results = ds[0]
        assert results['img'].shape == SIZE + (3, )
        assert results['seg_fields'] == ['gt_seg_map', 'gt_fov_mask']
    # handed-out arrays are copies: editing them leaves the cache intact
    results['img'][:] = 0
    assert ds[0]['img'].any()


def test_no_cache_decodes_on_every_access(drive_root, monkeypatch):
    ds = FundusVesselDataset(data_root=drive_root, cache=False, pipeline=LOAD)
    assert 'img' not in ds.get_data_info(0)
    opened = []
    real_open = fundus_io._open

    def counting(path, kind):
        opened.append(kind)
        return real_open(path, kind)

    monkeypatch.setattr(fundus_io, '_open', counting)
    cached = FundusVesselDataset(data_root=drive_root)
    opened.clear()
    results = ds[1]
    assert sorted(opened) == ['FOV mask', 'image', 'label']
    for key in ('img', 'gt_seg_map', 'gt_fov_mask'):
        np.testing.assert_array_equal(results[key],
                                      cached.get_data_info(1)[key])


def test_load_image_from_file_serves_the_cached_image(drive_root):
    ds = FundusVesselDataset(data_root=drive_root, pipeline=LOAD)
    assert [type(t).__name__ for t in ds.pipeline.transforms
            ] == ['LoadFundusImage', 'LoadFundusAnnotations']
    np.testing.assert_array_equal(ds[0]['img'],
                                  ds.get_data_info(0)['img'])


@pytest.mark.parametrize('serialize_data', [True, False])
def test_repeat_times_without_copies(drive_root, serialize_data):
    ds = FundusVesselDataset(
        data_root=drive_root,
        holdout=0,
        repeat_times=4,
        serialize_data=serialize_data)
    assert len(ds) == 12 and len(ds._arrays) == 3
    assert ds.get_data_info(7)['img_path'] == ds.get_data_info(1)['img_path']
    assert ds.get_data_info(7)['sample_idx'] == 1
    assert ds.get_data_info(-1)['img_path'] == ds.get_data_info(2)['img_path']
    with pytest.raises(IndexError):
        ds.get_data_info(12)


def test_lazy_init_and_data_root_attribute(drive_root):
    ds = FundusVesselDataset(data_root='/nonexistent', lazy_init=True)
    ds.data_root = drive_root
    assert len(ds) == 2 and ds.resolved_layout == 'drive'


@pytest.mark.parametrize('kwargs, match', [
    (dict(split='training'), 'split must be one of'),
    (dict(layout='kaggle'), 'layout must be one of'),
    (dict(annotator=3), 'annotator must be 1 or 2'),
    (dict(repeat_times=0), 'repeat_times must be'),
    (dict(holdout=-1), 'holdout must be a count'),
    (dict(holdout=1.0), 'holdout must be a count'),
    (dict(holdout=True), 'holdout must be a count'),
])
def test_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        FundusVesselDataset(**{'layout': 'synthetic', **kwargs})


def test_empty_or_unknown_data_root_lists_layouts(tmp_path):
    for root, error in (('', FileNotFoundError), (str(tmp_path), ValueError)):
        with pytest.raises(error) as err:
            FundusVesselDataset(data_root=root)
        for name in ('drive', 'hrf', 'chase_db1', 'stare', 'folder'):
            assert f'  {name}: ' in str(err.value)
        assert '1st_manual' in str(err.value)


def test_missing_label_or_image_named(tmp_path, drive_root, chase_root):
    drive = shutil.copytree(drive_root, tmp_path / 'DRIVE')
    os.remove(drive / 'training' / '1st_manual' / '04_manual1.gif')
    with pytest.raises(
            FileNotFoundError, match=r'image .*04_training.tif has no label'):
        FundusVesselDataset(data_root=str(drive))
    chase = shutil.copytree(chase_root, tmp_path / 'CHASE')
    os.remove(chase / 'Image_03L.jpg')
    with pytest.raises(
            FileNotFoundError,
            match=r'label .*Image_03L_1stHO.png has no image'):
        FundusVesselDataset(data_root=str(chase))
    with pytest.raises(FileNotFoundError, match='2nd_manual'):
        FundusVesselDataset(data_root=drive_root, annotator=2)


def test_corrupt_mismatched_or_non_binary_files_named(tmp_path, drive_root):
    drive = shutil.copytree(drive_root, tmp_path / 'DRIVE')
    image = drive / 'test' / 'images' / '02_test.tif'
    image.write_bytes(b'corrupt')
    with pytest.raises(ValueError, match='02_test.tif'):
        FundusVesselDataset(data_root=str(drive), split='test')
    label = drive / 'training' / '1st_manual' / '05_manual1.gif'
    save(str(label), np.zeros((SIZE[0] - 2, SIZE[1]), np.uint8))
    with pytest.raises(ValueError) as err:
        FundusVesselDataset(data_root=str(drive), split='val')
    assert '05_manual1.gif' in str(err.value)
    assert '05_training.tif' in str(err.value)
    assert str((SIZE[0] - 2, SIZE[1])) in str(err.value)
    save(str(label), sample(9)[0][..., 1])
    with pytest.raises(ValueError, match='05_manual1.gif is not binary'):
        FundusVesselDataset(data_root=str(drive), split='val')


def _names(dataset):
    return [
        dataset.get_data_info(i)['img_path'] for i in range(len(dataset))
    ]


@pytest.mark.parametrize('layout', ['drive', 'chase', 'stare', 'hrf', 'flat'])
def test_validation_never_touches_the_test_part(request, tmp_path, layout):
    """On every layout 'val' is the last 20 % of the training part, 'train'
    the rest, and neither shares an image with 'test'."""
    if layout == 'flat':
        root = tmp_path / 'flat'
        write_folder(str(root / 'train'), 12, 800, palette_gif)
        write_folder(str(root / 'test'), 2, 900, palette_gif)
    else:
        root = request.getfixturevalue(f'{layout}_root')
    splits = {
        split: _names(FundusVesselDataset(data_root=str(root), split=split))
        for split in ('train', 'val', 'test')
    }
    everything = _names(
        FundusVesselDataset(data_root=str(root), split='train', holdout=0))
    assert everything == splits['train'] + splits['val']
    assert len(splits['val']) == max(round(0.2 * len(everything)), 1)
    assert not set(everything) & set(splits['test'])
    count = FundusVesselDataset(data_root=str(root), split='val', holdout=2)
    assert _names(count) == everything[-2:]


def test_holdout_that_leaves_nothing_is_an_error(drive_root):
    with pytest.raises(ValueError, match='leaves none to train on'):
        FundusVesselDataset(data_root=drive_root, holdout=3)
    with pytest.raises(ValueError, match='holdout=0 holds none out'):
        FundusVesselDataset(data_root=drive_root, split='val', holdout=0)
