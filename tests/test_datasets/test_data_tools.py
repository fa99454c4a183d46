"""The data tools: tools/misc/make_synthetic_fundus.py, browse_pipeline.py,
rescale_fundus_set.py."""
import importlib.util
import os.path as osp
from types import ModuleType

import cv2
import numpy as np
import pytest
from fundus_fixtures import load

from setr_fundus.datasets import FundusVesselDataset

TOOLS = osp.join(osp.dirname(__file__), '..', '..', 'tools', 'misc')

CONFIG = """
custom_imports = dict(imports=['setr_fundus'], allow_failed_imports=False)
default_scope = 'mmseg'
train_dataloader = dict(
    batch_size=2,
    dataset=dict(
        type='RepeatDataset',
        times=1,
        dataset=dict(
            type='SyntheticFundusDataset',
            num_train=2,
            num_test=1,
            size=(64, 64),
            pipeline=[
                dict(type='LoadImageFromFile', imdecode_backend='pillow'),
                dict(type='LoadFundusAnnotations'),
                dict(type='RandomRotate', prob=1.0, degree=20),
                dict(type='RandomCrop', crop_size=(48, 48)),
                dict(type='PackFundusInputs'),
            ])))
"""


def load_tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        name, osp.join(TOOLS, name + '.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_make_synthetic_fundus_writes_loadable_drive(tmp_path, capsys):
    out = str(tmp_path / 'SYNTH')
    load_tool('make_synthetic_fundus').main([
        out, '--num-train', '2', '--num-test', '1', '--size', '48', '40',
        '--seed', '3'
    ])
    assert 'wrote 3 synthetic images' in capsys.readouterr().out
    train = FundusVesselDataset(data_root=out, holdout=0)
    test = FundusVesselDataset(data_root=out, split='test')
    assert train.resolved_layout == 'drive'
    assert (len(train), len(test)) == (2, 1)
    info = load(train.get_data_info(0))
    assert info['img'].shape == (48, 40, 3)
    assert set(np.unique(info['gt_seg_map'])) == {0, 1}


def test_browse_pipeline_writes_rows_of_image_label_fov(tmp_path):
    config = tmp_path / 'tiny.py'
    config.write_text(CONFIG)
    out = str(tmp_path / 'vis' / 'pipeline.png')
    load_tool('browse_pipeline').main([
        str(config), '--out', out, '--num', '3', '--cfg-options',
        'train_dataloader.dataset.times=2'
    ])
    picture = cv2.imread(out)
    gap = 4
    assert picture.shape == (3 * (48 + gap), 3 * (48 + gap), 3)
    label_tile = picture[:48, 48 + gap:2 * 48 + gap]
    colours = {tuple(c) for c in label_tile.reshape(-1, 3)}
    assert (255, 255, 255) in colours, 'no vessel drawn'
    assert colours <= {(0, 0, 0), (255, 255, 255), (0, 0, 160)}
    assert (picture[48:48 + gap] == 128).all(), 'grey gap between rows'


def test_rescale_fundus_set_writes_a_folder_set(tmp_path, capsys):
    src = str(tmp_path / 'SYNTH')
    load_tool('make_synthetic_fundus').main(
        [src, '--num-train', '2', '--num-test', '2', '--size', '40', '36'])
    out = str(tmp_path / 'x2.5')
    load_tool('rescale_fundus_set').main([src, out, '--scale', '2.5'])
    assert 'wrote 2 samples' in capsys.readouterr().out
    original = FundusVesselDataset(data_root=src, split='test')
    rescaled = FundusVesselDataset(data_root=out, split='test')
    assert rescaled.resolved_layout == 'folder' and len(rescaled) == 2
    assert rescaled.get_data_info(1)['fov_path'].endswith('02_test.png')
    big = load(rescaled.get_data_info(1))
    small = load(original.get_data_info(1))
    assert big['img'].shape == (100, 90, 3)
    # nearest neighbour: every 2.5x2.5 block repeats the original pixel
    np.testing.assert_array_equal(big['gt_seg_map'][::5, ::5],
                                  small['gt_seg_map'][::2, ::2])
    with pytest.raises(FileExistsError, match='nothing is overwritten'):
        load_tool('rescale_fundus_set').main([src, out, '--scale', '2'])
