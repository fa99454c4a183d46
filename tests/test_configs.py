"""Every non-_base_ config parses and builds its model (mmseg's
test_config.py)."""
import glob
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS, MODELS

import setr_fundus  # noqa: F401
from setr_fundus.datasets.synthetic import generate_fundus
from setr_fundus.utils import load_config

CONFIG_DIR = osp.join(osp.dirname(__file__), '..', 'configs')
CONFIGS = sorted(
    p for p in glob.glob(osp.join(CONFIG_DIR, '**', '*.py'), recursive=True)
    if '_base_' not in p)
# all but the stock UNet baseline, which keeps mmseg's DRIVE recipe
FOV_CONFIGS = [p for p in CONFIGS if 'baselines' not in p]


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
        for dataset in _datasets(cfg[f'{split}_dataloader']):
            assert dataset.type in ('FundusVesselDataset',
                                    'FundusArteryVeinDataset',
                                    'SyntheticFundusDataset')
    init_default_scope('mmseg')
    model_cfg = cfg.model.deepcopy()
    model_cfg.backbone.init_cfg = None  # no foundation-model file here
    model = MODELS.build(model_cfg)
    # one output class per class of the training set
    train_set = _datasets(cfg.train_dataloader)[0]
    classes = train_set.get('metainfo', {}).get(
        'classes', DATASETS.get(train_set.type).METAINFO['classes'])
    assert model.decode_head.num_classes == len(classes)
    assert cfg.model.test_cfg.mode == 'slide'
    if 'img_size' in cfg.model.backbone:
        # the ViT's input is the training crop; testing slides windows of
        # that size
        assert tuple(cfg.model.test_cfg.crop_size) == tuple(
            cfg.model.backbone.img_size)


def _datasets(loader):
    """The sets of a loader, inside ConcatDataset and RepeatDataset."""
    found = []
    for dataset in loader.dataset.get('datasets', [loader.dataset]):
        while dataset.type == 'RepeatDataset':
            dataset = dataset.dataset
        found.append(dataset)
    return found


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_best_model_is_never_chosen_on_test_images(path):
    cfg = load_config(path)
    assert {d.split for d in _datasets(cfg.val_dataloader)} == {'val'}
    assert {d.split for d in _datasets(cfg.test_dataloader)} == {'test'}
    for dataset in _datasets(cfg.train_dataloader):
        assert dataset.split == 'train' and 'indices' not in dataset


def _steps(node, name):
    """Every dict of type ``name`` below ``node`` (pipelines nest)."""
    if isinstance(node, dict):
        if node.get('type') == name:
            yield node
        for value in node.values():
            yield from _steps(value, name)
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _steps(item, name)


@pytest.mark.parametrize('path', FOV_CONFIGS, ids=osp.basename)
def test_settings_say_what_runs(path):
    """A config's ``crop_size``, ``fov_diameter`` and ``max_fov_diameter``
    are the values its dicts use (a leaf that changes one re-declares the
    dicts that use it): the training crops, the encoder's input and the
    sliding window, and every
    ``ResizeToFOV``."""
    cfg = Config.fromfile(path)
    crop = list(cfg.crop_size)
    loaders = [cfg[key] for key in ('train_dataloader', 'val_dataloader',
                                    'test_dataloader')]
    crops = list(_steps(cfg.train_dataloader, 'RandomCrop'))
    assert crops and all(list(c.crop_size) == crop for c in crops)
    assert list(cfg.model.test_cfg.crop_size) == crop
    assert list(cfg.model.backbone.img_size) == crop
    resizes = list(_steps([*loaders, cfg.test_pipeline, cfg.tta_pipeline],
                          'ResizeToFOV'))
    assert len(resizes) >= 4
    assert {r.fov_diameter for r in resizes} == {cfg.fov_diameter}
    assert {r.max_fov_diameter for r in resizes} == {cfg.max_fov_diameter}


@pytest.mark.parametrize('path', FOV_CONFIGS, ids=osp.basename)
def test_colours_are_standardised_alike_in_every_pipeline(path):
    """A config that standardises colours (``StandardizeFOVColour``) does
    it once and the same way in every pipeline: training, validation and
    testing of each of its sets, ``--tta`` and ``tools/infer.py``
    (``test_pipeline``)."""
    cfg = Config.fromfile(path)
    pipelines = [cfg.test_pipeline, cfg.tta_pipeline] + [
        dataset.pipeline for key in ('train_dataloader', 'val_dataloader',
                                     'test_dataloader')
        for dataset in _datasets(cfg[key])
    ]
    found = [list(_steps(p, 'StandardizeFOVColour')) for p in pipelines]
    assert len(found[0]) <= 1
    assert all(steps == found[0] for steps in found)


def test_frozen_config_contract():
    cfg = Config.fromfile(
        osp.join(CONFIG_DIR, 'setr_mla_vitb16_frozen_fundus.py'))
    assert cfg.model.backbone.init_cfg == dict(
        type='Pretrained', checkpoint='VFM_Fundus_weights.pth')
    assert cfg.train_dataloader.batch_size == 4
    assert cfg.train_cfg.max_epochs == 100
    assert cfg.optim_wrapper.optimizer.type == 'AdamW'
    assert cfg.optim_wrapper.optimizer.lr == 1e-4
    # the decoder and the spatial path beside the frozen ViT train at 10x
    assert cfg.optim_wrapper.paramwise_cfg.custom_keys == {
        'decode_head': dict(lr_mult=10.0),
        'spatial_path': dict(lr_mult=10.0)
    }
    assert [s.type for s in cfg.param_scheduler
            ] == ['LinearLR', 'CosineAnnealingLR']
    assert cfg.train_dataloader.dataset.dataset.data_root == 'data/DRIVE'
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
    vit = {
        name: child
        for name, child in model.backbone.named_children()
        if name != 'spatial_path'
    }
    grads = {p.requires_grad for m in vit.values() for p in m.parameters()}
    assert grads == {not frozen}
    children = [m.training for m in vit.values()]
    assert set(children) == {not frozen}  # frozen parts stay in eval mode
    assert model.backbone.spatial_path.training
    for module in (model.backbone.spatial_path, model.decode_head):
        assert all(p.requires_grad for p in module.parameters())


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


PLAIN_HEAD = {
    'model.backbone.spatial_channels': None,
    'model.decode_head.spatial_channels': None
}


@pytest.mark.parametrize(
    'name', ['setr_mla_vitb16_frozen_fundus.py', 'setr_mla_default_fundus.py'])
def test_seed_plain_head_is_two_options_away(name):
    """``--cfg-options model.backbone.spatial_channels=None
    model.decode_head.spatial_channels=None`` gives the seed's plain SETR-MLA
    head and a backbone without the spatial path."""
    path = osp.join(CONFIG_DIR, name)
    init_default_scope('mmseg')
    options = {'model.backbone.init_cfg': None}
    with_spatial = MODELS.build(load_config(path, options).model)
    assert with_spatial.decode_head.spatial_channels
    assert hasattr(with_spatial.backbone, 'spatial_path')
    plain = MODELS.build(
        load_config(path, {**options, **PLAIN_HEAD}).model)
    assert plain.decode_head.spatial_channels == ()
    assert not hasattr(plain.backbone, 'spatial_path')
    assert not any('detail' in k for k in plain.decode_head.state_dict())


@pytest.fixture(scope='module')
def photographs(tmp_path_factory):
    """One synthetic photograph per camera: DRIVE's 565x584 and HRF's
    3504x2336 (w x h), with their labels."""
    root = tmp_path_factory.mktemp('cameras')
    files = {}
    for w, h in ((565, 584), (3504, 2336)):
        img, label, _ = generate_fundus(4, (h, w))
        img_path, label_path = root / f'{w}.png', root / f'{w}_label.png'
        cv2.imwrite(str(img_path), img)
        cv2.imwrite(str(label_path), label * 255)
        files[w] = dict(
            img_path=str(img_path),
            seg_map_path=str(label_path),
            fov_path=None,
            reduce_zero_label=False,
            seg_fields=[])
    return files


def _fov_circle(pipeline, info) -> tuple:
    return Compose(pipeline)(dict(info))['data_samples'].metainfo['fov_circle']


def _normalised_fov(pipeline, info) -> float:
    meta = Compose(pipeline)(dict(info))['data_samples'].metainfo
    return meta['fov_circle'][2] * meta['scale_factor'][0]


@pytest.mark.parametrize('path', FOV_CONFIGS, ids=osp.basename)
def test_train_and_test_see_one_vessel_scale_on_every_camera(
        path, photographs):
    """Every config's pipelines bring a photograph to the FOV diameter of
    one rule, the same for validation, test and inference: DRIVE's 565x584
    to exactly fov_diameter, HRF's 3504x2336 (drawn with detail at its own
    pixels) to half its FOV diameter up to max_fov_diameter; training
    draws a jitter around that. (The stock UNet baseline keeps mmseg's
    DRIVE recipe and is left out.)"""
    cfg = load_config(path)
    init_default_scope('mmseg')
    train_pipelines = [d.pipeline for d in _datasets(cfg.train_dataloader)]
    test_pipelines = [cfg.test_pipeline] + [
        d.pipeline for key in ('val_dataloader', 'test_dataloader')
        for d in _datasets(cfg[key])
    ]
    for width, info in photographs.items():
        diameter = _fov_circle(cfg.test_pipeline, info)[2]
        target = cfg.fov_diameter if width == 565 else min(
            diameter / 2, cfg.max_fov_diameter)
        assert target >= cfg.fov_diameter
        for pipeline in test_pipelines:
            assert _normalised_fov(pipeline, info) == pytest.approx(
                target, abs=1.0)
        for pipeline in train_pipelines:
            low, high = next(t.ratio_range for t in pipeline
                             if t.type == 'ResizeToFOV')
            assert low <= 1 <= high
            np.random.seed(0)
            train = [_normalised_fov(pipeline, info) for _ in range(3)]
            assert all(low * target - 1 <= d <= high * target + 1
                       for d in train)


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_one_test_pipeline(path):
    """Validation, test loaders and mmseg's ``inference_model`` (which reads
    ``test_pipeline``) and ``MMSegInferencer`` (which reads the test loader's)
    all run the same pipeline."""
    cfg = load_config(path)
    for key in ('val_dataloader', 'test_dataloader'):
        for dataset in _datasets(cfg[key]):
            assert dataset.pipeline == cfg.test_pipeline, (key, dataset)


def test_import_does_not_pull_in_mmseg_apis_or_skan():
    code = ('import sys, setr_fundus; '
            'print(sorted(m for m in ("mmseg.apis", "skan", "numba") '
            'if m in sys.modules))')
    out = subprocess.run([sys.executable, '-c', code],
                         capture_output=True,
                         text=True,
                         check=True).stdout
    assert out.strip() == '[]'
