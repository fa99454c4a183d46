import os.path as osp

import pytest
from mmengine.config import Config

from setr_fundus.utils import (apply_shared_settings, expand_shared_options,
                               load_config)

CONFIGS = osp.join(osp.dirname(__file__), '..', '..', 'configs')
QUICKSTART = osp.join(CONFIGS, 'quickstart_drive.py')


def _dataset(cfg, split):
    """The set of a loader (inside the training loader's RepeatDataset)."""
    dataset = cfg[f'{split}_dataloader'].dataset
    return dataset.dataset if split == 'train' else dataset


def _sites(cfg):
    pipeline = _dataset(cfg, 'train').pipeline
    crop = [t.crop_size for t in pipeline if t.type == 'RandomCrop']
    fov = [
        t.fov_diameter for key in ('train', 'val', 'test')
        for t in _dataset(cfg, key).pipeline if t.type == 'ResizeToFOV'
    ] + [t.fov_diameter for t in cfg.tta_pipeline if t.type == 'ResizeToFOV']
    return crop, fov


def test_a_leaf_config_sets_the_crop_once():
    """quickstart_drive.py sets crop_size = (128, 128) and copies no
    pipeline; the tools train on 128x128 crops."""
    assert 'train_pipeline' not in open(QUICKSTART).read()
    raw = Config.fromfile(QUICKSTART)
    assert _sites(raw)[0] == [(224, 224)]  # as inherited, before the tools
    cfg = load_config(QUICKSTART)
    crop, fov = _sites(cfg)
    assert crop == [(128, 128)] and set(fov) == {540} and len(fov) == 4
    assert cfg.model.backbone.img_size == cfg.model.test_cfg.crop_size


def test_options_expand_into_every_site():
    cfg = load_config(
        QUICKSTART, {
            'data_root': 'data/CHASE_DB1',
            'crop_size': 192,
            'fov_diameter': 600
        })
    assert {_dataset(cfg, s).data_root
            for s in ('train', 'val', 'test')} == {'data/CHASE_DB1'}
    crop, fov = _sites(cfg)
    assert crop == [(192, 192)] and set(fov) == {600}
    assert cfg.model.backbone.img_size == (192, 192)
    assert cfg.model.test_cfg.crop_size == (192, 192)
    assert cfg.model.test_cfg.stride == (144, 144)


def test_a_site_named_explicitly_wins_over_the_shared_setting():
    cfg = load_config(
        QUICKSTART, {
            'test_dataloader.dataset.data_root': 'data/OTHER',
            'data_root': 'data/CHASE_DB1'
        })
    assert _dataset(cfg, 'train').data_root == 'data/CHASE_DB1'
    assert cfg.test_dataloader.dataset.data_root == 'data/OTHER'
    only_test = load_config(QUICKSTART,
                            {'test_dataloader.dataset.data_root': 'data/X'})
    assert _dataset(only_test, 'train').data_root == 'data/DRIVE'


def test_data_root_of_a_multi_set_loader_is_refused():
    cfg = Config(
        dict(
            train_dataloader=dict(
                dataset=dict(type='ConcatDataset', datasets=[])),
            val_dataloader=dict(dataset=dict(data_root='a')),
            test_dataloader=dict(dataset=dict(data_root='a'))))
    with pytest.raises(ValueError, match='datasets.0.data_root'):
        expand_shared_options(cfg, {'data_root': 'b'})


@pytest.mark.parametrize('value', [0, (1, 2, 3), 'big', (64, True)])
def test_bad_crop_size_is_named(value):
    cfg = Config.fromfile(QUICKSTART)
    with pytest.raises(ValueError, match='crop_size must be'):
        expand_shared_options(cfg, {'crop_size': value})


def test_apply_without_shared_settings_changes_nothing():
    cfg = Config(dict(train_pipeline=[dict(type='RandomCrop', crop_size=3)]))
    apply_shared_settings(cfg)
    assert cfg.train_pipeline[0].crop_size == 3
