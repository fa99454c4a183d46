import os
import os.path as osp
import shutil
import tempfile

import numpy as np
import pytest
from fundus_fixtures import (LOAD, SIZE, av_classes, load, palette_gif, sample,
                             save, write_folder)
from PIL import Image

from setr_fundus.datasets import (FundusArteryVeinDataset, FundusVesselDataset,
                                  SyntheticFundusDataset, fundus_io)


def check_binary_sample(info: dict) -> None:
    assert 'img' not in info  # the dataset lists; the pipeline loads
    assert info['reduce_zero_label'] is False and info['seg_fields'] == []
    loaded = load(info)
    assert loaded['img'].dtype == np.uint8
    assert loaded['img'].shape == SIZE + (3, )
    assert set(np.unique(loaded['gt_seg_map'])) == {0, 1}
    assert set(np.unique(loaded['gt_fov_mask'])) == {0, 1}
    assert loaded['gt_fov_mask'].mean() > 0.4


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
    np.testing.assert_array_equal(
        load(second)['gt_seg_map'],
        load(first_test)['gt_seg_map'])


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
    np.testing.assert_array_equal(load(info)['gt_seg_map'], sample(402)[1])

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


def test_synthetic_dataset_writes_once_and_reads_as_drive(
        tmp_path, drive_root):
    root = tmp_path / 'SYNTH'
    settings = dict(num_train=3, num_test=2, size=SIZE, seed=7)
    ds = SyntheticFundusDataset(data_root=str(root), split='val', **settings)
    assert ds.resolved_layout == 'drive' and len(ds) == 1
    # the same files as the synthetic tool's writer (the drive_root fixture)
    written = load(ds.get_data_info(0))
    expected = load(
        FundusVesselDataset(data_root=drive_root, split='val').get_data_info(
            0))
    for key in ('img', 'gt_seg_map', 'gt_fov_mask'):
        np.testing.assert_array_equal(written[key], expected[key])
    stamp = os.stat(ds.get_data_info(0)['img_path']).st_mtime_ns
    again = SyntheticFundusDataset(
        data_root=str(root), split='val', **settings)
    assert os.stat(again.get_data_info(0)['img_path']).st_mtime_ns == stamp
    assert not [p for p in os.listdir(tmp_path) if p.startswith('.')]
    with pytest.raises(ValueError, match='other settings'):
        SyntheticFundusDataset(data_root=str(root), num_train=4)
    with pytest.raises(ValueError, match='not a synthetic set'):
        SyntheticFundusDataset(data_root=drive_root)
    with pytest.raises(ValueError, match='num_test must be an int >= 1'):
        SyntheticFundusDataset(num_test=0)
    default = SyntheticFundusDataset(split='test', **settings)
    assert default.data_root.startswith(tempfile.gettempdir())


def test_construction_reads_headers_not_pixels(drive_root, monkeypatch):
    def refuse(path, kind):
        raise AssertionError(f'decoded {path} at construction')

    monkeypatch.setattr(fundus_io, '_open', refuse)
    ds = FundusVesselDataset(data_root=drive_root, pipeline=LOAD)
    assert len(ds) == 2
    monkeypatch.undo()
    results = ds[1]
    assert results['img'].shape == SIZE + (3, )
    assert results['seg_fields'] == ['gt_seg_map', 'gt_fov_mask']


def test_lazy_init_and_data_root_attribute(drive_root):
    ds = FundusVesselDataset(data_root='/nonexistent', lazy_init=True)
    ds.data_root = drive_root
    assert len(ds) == 2 and ds.resolved_layout == 'drive'


@pytest.mark.parametrize('kwargs, match', [
    (dict(split='training'), 'split must be one of'),
    (dict(layout='kaggle'), 'layout must be one of'),
    (dict(annotator=3), 'annotator must be 1 or 2'),
    (dict(holdout=-1), 'holdout must be a count'),
    (dict(holdout=1.0), 'holdout must be a count'),
    (dict(holdout=True), 'holdout must be a count'),
])
def test_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        FundusVesselDataset(**{'data_root': '', **kwargs})


def test_empty_or_unknown_data_root_lists_layouts(tmp_path):
    for root, error in (('', FileNotFoundError), (str(tmp_path), ValueError)):
        with pytest.raises(error) as err:
            FundusVesselDataset(data_root=root)
        for name in ('drive', 'hrf', 'chase_db1', 'stare', 'rite', 'folder'):
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
    # pixels are checked when the pipeline loads them, naming the files
    save(str(label), sample(9)[0][..., 1])
    val = FundusVesselDataset(data_root=str(drive), split='val', pipeline=LOAD)
    with pytest.raises(RuntimeError,
                       match=r'05_training.tif.*05_manual1.gif is not binary'):
        val[0]
    train_image = drive / 'training' / 'images' / '03_training.tif'
    train_image.write_bytes(train_image.read_bytes()[:-200])  # truncated
    train = FundusVesselDataset(data_root=str(drive), pipeline=LOAD)
    with pytest.raises(RuntimeError, match='cannot load sample 0 .*03_train'):
        train[0]


def test_high_bit_depth_photographs_are_refused(tmp_path):
    root = write_folder(str(tmp_path / 'flat'), 1, 40, palette_gif)
    image = osp.join(root, 'images', 'case0.png')
    deep = (np.asarray(Image.open(image).convert('L')).astype(np.uint16) *
            257)
    Image.fromarray(deep).save(image)
    with pytest.raises(ValueError, match=r'case0.png has .I;16. pixels'):
        FundusVesselDataset(data_root=root, split='test')


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


def test_rite_vessel_and_artery_vein_maps(rite_root):
    vessel = FundusVesselDataset(data_root=rite_root, split='test')
    assert vessel.resolved_layout == 'rite' and len(vessel) == 2
    info = vessel.get_data_info(0)
    assert info['seg_map_path'].endswith(osp.join('vessel', '01_test.png'))
    assert set(info['map_paths']) == {'vessel', 'av', 'fov'}
    check_binary_sample(info)
    av = FundusArteryVeinDataset(data_root=rite_root, split='val')
    assert av.metainfo['classes'][1:3] == ('artery', 'vein')
    info = av.get_data_info(0)
    assert info['img_path'].endswith('23_training.tif')
    np.testing.assert_array_equal(
        load(info)['gt_seg_map'], av_classes(sample(723)[1]))
    with pytest.raises(ValueError, match="rule 'artery_vein_colours' into"):
        FundusVesselDataset(data_root=rite_root, seg_map='av')
    with pytest.raises(ValueError, match="seg_map='disc' is not one"):
        FundusVesselDataset(data_root=rite_root, seg_map='disc')
    # an A/V label read as a binary vessel label names file and colours
    info = FundusVesselDataset(data_root=rite_root).get_data_info(0)
    info['seg_map_path'] = info['map_paths']['av']
    with pytest.raises(ValueError, match=r'21_training.png .*\(255, 0, 0\)'):
        load(info)


def test_index_coded_folder_with_three_or_four_classes(tmp_path):
    def index_coded(stem, vessel):
        return save(stem + '.png', av_classes(vessel))

    root = write_folder(str(tmp_path / 'av'), 2, 40, index_coded)
    four = FundusArteryVeinDataset(data_root=root, split='test')
    expected = av_classes(sample(41)[1])
    np.testing.assert_array_equal(
        load(four.get_data_info(1))['gt_seg_map'], expected)
    three = FundusArteryVeinDataset(
        data_root=root,
        split='test',
        metainfo=dict(classes=('background', 'artery', 'vein')))
    assert three.label_map == {0: 0, 1: 1, 2: 2, 3: 255}
    assert len(three.metainfo['palette']) == 3
    remapped = load(three.get_data_info(1))['gt_seg_map']
    np.testing.assert_array_equal(remapped, np.where(expected == 3, 255,
                                                     expected))
    vessel_only = FundusVesselDataset(
        data_root=write_folder(str(tmp_path / 'v'), 1, 50, palette_gif),
        split='test',
        metainfo=dict(classes=('vessel', )))
    np.testing.assert_array_equal(
        load(vessel_only.get_data_info(0))['gt_seg_map'],
        np.where(sample(50)[1] == 1, 0, 255))


def test_detection_does_not_depend_on_order(tmp_path, rite_root, drive_root):
    both = tmp_path / 'both'
    shutil.copytree(drive_root, both)
    shutil.copytree(osp.join(rite_root, 'training', 'av'),
                    both / 'training' / 'av')
    with pytest.raises(ValueError, match=r"matches the layouts \['drive', "
                       r"'rite'\]; set layout="):
        FundusVesselDataset(data_root=str(both))
    assert len(FundusVesselDataset(data_root=str(both), layout='drive')) == 2
    # a folder whose images carry CHASE_DB1 names is CHASE_DB1, as before
    chase_named = tmp_path / 'chase_named'
    save(str(chase_named / 'images' / 'Image_01L.jpg'), sample(1)[0])
    os.makedirs(chase_named / 'labels')
    with pytest.raises(FileNotFoundError, match='CHASE_DB1: image'):
        FundusVesselDataset(data_root=str(chase_named))


@pytest.mark.parametrize('path', [
    'DRIVE/training/1st_manual/21_manual1.gif',
    'CHASE_DB1/Image_01L_1stHO.png', 'HRF/manual1/01_dr.tif',
    'RITE/training/vessel/21_training.png'
])
def test_real_binary_labels_are_read(path):
    full = osp.join('/work/shared/data', path)
    if not osp.isfile(full):
        pytest.skip(f'{full} not here')
    label = fundus_io.read_label(full)
    assert set(np.unique(label)) == {0, 1}


def test_real_rite_artery_vein_label():
    full = '/work/shared/data/RITE/training/av/22_training.png'
    if not osp.isfile(full):
        pytest.skip(f'{full} not here')
    with pytest.raises(ValueError, match='22_training.png is not binary'):
        fundus_io.read_label(full)
    classes = fundus_io.read_label(full, 'artery_vein_colours')
    assert set(np.unique(classes)) == {0, 1, 2, 3, 255}
    assert (classes == 255).sum() == 3  # RITE's stray magenta pixels
