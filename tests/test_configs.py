"""Every non-_base_ config parses and builds its model (mmseg's
test_config.py)."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

import setr_fundus  # noqa: F401

CONFIG_DIR = osp.join(osp.dirname(__file__), '..', 'configs')
CONFIGS = sorted(
    p for p in glob.glob(osp.join(CONFIG_DIR, '**', '*.py'), recursive=True)
    if '_base_' not in p)


def test_configs_found():
    names = {osp.basename(p) for p in CONFIGS}
    assert {
        'setr_mla_vitb16_frozen_fundus.py', 'setr_mla_default_fundus.py',
        'quickstart_synthetic.py'
    } <= names


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_builds(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmseg'
    assert cfg.custom_imports == dict(
        imports=['setr_fundus'], allow_failed_imports=False)
    for split in ('train', 'val', 'test'):
        assert cfg[f'{split}_dataloader'].dataset.type == 'FundusVesselDataset'
    init_default_scope('mmseg')
    model_cfg = cfg.model.deepcopy()
    model_cfg.backbone.init_cfg = None  # no foundation-model file here
    model = MODELS.build(model_cfg)
    assert model.decode_head.num_classes == 2
    assert cfg.model.test_cfg.mode == 'slide'
    assert tuple(cfg.model.test_cfg.crop_size) == tuple(
        cfg.model.data_preprocessor.size)


def test_frozen_config_contract():
    cfg = Config.fromfile(
        osp.join(CONFIG_DIR, 'setr_mla_vitb16_frozen_fundus.py'))
    assert cfg.model.backbone.init_cfg == dict(
        type='Pretrained', checkpoint='VFM_Fundus_weights.pth')
    assert cfg.train_dataloader.batch_size == 4
    assert cfg.train_cfg.max_epochs == 100
    assert cfg.optim_wrapper.optimizer.type == 'AdamW'
    assert cfg.optim_wrapper.optimizer.lr == 1e-4
    assert cfg.optim_wrapper.paramwise_cfg.custom_keys == {
        'decode_head': dict(lr_mult=10.0)
    }
    assert [s.type for s in cfg.param_scheduler
            ] == ['LinearLR', 'CosineAnnealingLR']
    assert cfg.train_dataloader.dataset.data_root == 'data/DRIVE'
    assert tuple(cfg.crop_size) == (224, 224)


@pytest.mark.parametrize('name,frozen', [
    ('setr_mla_vitb16_frozen_fundus.py', True),
    ('setr_mla_default_fundus.py', False),
])
def test_encoder_frozen_only_in_frozen_config(name, frozen):
    cfg = Config.fromfile(osp.join(CONFIG_DIR, name))
    init_default_scope('mmseg')
    cfg.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model)
    model.train()
    grads = {p.requires_grad for p in model.backbone.parameters()}
    assert grads == {not frozen}
    children = [m.training for m in model.backbone.children()]
    assert set(children) == {not frozen}  # frozen parts stay in eval mode
    assert all(p.requires_grad for p in model.decode_head.parameters())


@pytest.mark.parametrize('split,other', [('val', 'test'), ('test', 'val')])
def test_val_and_test_loaders_are_overridden_separately(split, other):
    """``test_dataloader`` is written as the val loader on the test split;
    overriding one of them leaves the other as it was."""
    cfg = Config.fromfile(osp.join(CONFIG_DIR, 'setr_mla_default_fundus.py'))
    assert cfg.val_dataloader.dataset.split == 'val'
    assert cfg.test_dataloader.dataset.split == 'test'
    cfg.merge_from_dict({
        f'{split}_dataloader.dataset.data_root': 'data/CHASE_DB1',
        f'{split}_dataloader.batch_size': 2
    })
    assert cfg[f'{split}_dataloader'].dataset.data_root == 'data/CHASE_DB1'
    assert cfg[f'{split}_dataloader'].batch_size == 2
    assert cfg[f'{other}_dataloader'].dataset.data_root == 'data/DRIVE'
    assert cfg[f'{other}_dataloader'].batch_size == 1


@pytest.mark.parametrize(
    'name', ['setr_mla_vitb16_frozen_fundus.py', 'setr_mla_default_fundus.py'])
def test_seed_plain_head_is_one_option_away(name):
    """``--cfg-options model.decode_head.detail_channels=None`` gives the
    seed's plain SETR-MLA head."""
    cfg = Config.fromfile(osp.join(CONFIG_DIR, name))
    init_default_scope('mmseg')
    cfg.model.backbone.init_cfg = None
    assert MODELS.build(cfg.model).decode_head.with_image_input
    cfg.merge_from_dict({'model.decode_head.detail_channels': None})
    head = MODELS.build(cfg.model).decode_head
    assert not head.with_image_input and not hasattr(head, 'detail_stem')
