import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmseg.registry import MODELS

import setr_fundus  # noqa: F401
from setr_fundus.apis import (VesselSegmenter, is_image_file, list_images,
                              load_model_weights)
from setr_fundus.datasets import ResizeToFOV, generate_fundus
from setr_fundus.visualization import (output_paths, unique_stems,
                                       vessel_overlay)
from tests.model_utils import random_model

TINY = osp.join(
    osp.dirname(__file__), '..', 'test_tools', 'data', 'tiny_config.py')


@pytest.fixture(scope='module')
def cfg() -> Config:
    return Config.fromfile(TINY)


@pytest.fixture(scope='module')
def checkpoint(cfg, tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp('ckpt') / 'tiny.pth')
    torch.save(
        dict(
            state_dict=random_model(cfg).state_dict(),
            meta=dict(epoch=1, dataset_meta=dict(classes=('bg', 'vessel')))),
        path)
    return path


@pytest.fixture(scope='module')
def image() -> np.ndarray:
    return generate_fundus(3, (70, 61))[0]


def test_predict_matches_sliding_windows(cfg, checkpoint, image):
    seg = VesselSegmenter(TINY, checkpoint)
    prob, mask = seg.predict(image)
    assert prob.shape == mask.shape == image.shape[:2]
    assert prob.dtype == np.float32 and mask.dtype == bool
    assert 0 <= prob.min() and prob.max() <= 1
    np.testing.assert_array_equal(mask, prob > 0.5)
    # by hand: sliding windows over the photograph rescaled to a 64 px FOV
    # (the config's fov_diameter), logits resized back to its pixels
    model = random_model(cfg)
    h, w = image.shape[:2]
    small = ResizeToFOV(fov_diameter=64)(dict(img=image))['img']
    assert small.shape[0] > h  # this FOV is smaller than 64 px
    pre = model.data_preprocessor(
        dict(inputs=[torch.from_numpy(small.transpose(2, 0, 1).copy())]),
        False)
    with torch.no_grad():
        logits = model.slide_inference(
            pre['inputs'],
            [dict(img_shape=small.shape[:2], ori_shape=small.shape[:2])])
    logits = torch.nn.functional.interpolate(
        logits, size=(h, w), mode='bilinear', align_corners=False)
    expected = logits.softmax(dim=1)[0, 1].numpy()
    np.testing.assert_allclose(prob, expected, atol=1e-5)
    assert seg.meta['epoch'] == 1


def test_predict_with_tta(checkpoint, image):
    seg = VesselSegmenter(TINY, checkpoint, tta=True)
    prob, mask = seg.predict(image)
    assert prob.shape == mask.shape == image.shape[:2]
    plain, _ = VesselSegmenter(TINY, checkpoint).predict(image)
    assert not np.allclose(prob, plain)  # flips were averaged in


def test_predict_rejects_grey_image(checkpoint):
    seg = VesselSegmenter(TINY, checkpoint)
    with pytest.raises(ValueError, match='HxWx3'):
        seg.predict(np.zeros((20, 20), np.uint8))


def test_load_weights_bare_state_dict_and_ddp_prefix(cfg, tmp_path):
    source = random_model(cfg)
    path = str(tmp_path / 'bare.pth')
    torch.save({
        f'module.{k}': v
        for k, v in source.state_dict().items()
    }, path)
    target = MODELS.build(
        dict(cfg.model, backbone=dict(cfg.model.backbone, init_cfg=None)))
    assert load_model_weights(target, path) == {}
    for key, value in source.state_dict().items():
        torch.testing.assert_close(target.state_dict()[key], value)


def test_load_weights_errors_name_the_file(cfg, tmp_path):
    model = random_model(cfg)
    partial = str(tmp_path / 'partial.pth')
    state = model.state_dict()
    state.pop('decode_head.conv_seg.weight')
    torch.save(dict(state_dict=state), partial)
    with pytest.raises(ValueError, match='partial.pth.*missing'):
        load_model_weights(model, partial)
    junk = str(tmp_path / 'junk.pth')
    torch.save(dict(state_dict=[1, 2]), junk)
    with pytest.raises(ValueError, match='junk.pth'):
        load_model_weights(model, junk)
    with pytest.raises(FileNotFoundError, match='absent.pth'):
        load_model_weights(model, str(tmp_path / 'absent.pth'))


def test_overlay_colours_only_vessels(image):
    mask = np.zeros(image.shape[:2], bool)
    mask[10:20, 5:9] = True
    out = vessel_overlay(image, mask, color=(0, 255, 0), alpha=1.0)
    np.testing.assert_array_equal(out[~mask], image[~mask])
    assert (out[mask] == [0, 255, 0]).all()  # BGR green
    with pytest.raises(ValueError, match='size'):
        vessel_overlay(image, mask[1:])


def test_list_images_and_output_names(tmp_path):
    for name in ('b.tif', 'a.png', 'a.JPG', 'c.ppm.gz', 'notes.txt'):
        (tmp_path / name).write_bytes(b'x')
    (tmp_path / 'sub.png').mkdir()
    paths = list_images(str(tmp_path))
    assert [osp.basename(p)
            for p in paths] == ['a.JPG', 'a.png', 'b.tif', 'c.ppm.gz']
    stems = unique_stems(paths)
    assert [stems[p] for p in paths] == ['a_JPG', 'a_png', 'b', 'c']
    assert list_images(paths[2]) == [paths[2]]
    assert is_image_file('x.GIF') and not is_image_file('x.gz')
    assert output_paths('out', 'b', ('mask', 'prob', 'overlay', 'npy')) == {
            'mask': osp.join('out', 'b_mask.png'),
            'prob': osp.join('out', 'b_prob.png'),
            'overlay': osp.join('out', 'b_overlay.png'),
            'npy': osp.join('out', 'b_prob.npy')
        }
    with pytest.raises(FileNotFoundError, match='nowhere'):
        list_images(str(tmp_path / 'nowhere'))
    (tmp_path / 'empty').mkdir()
    with pytest.raises(ValueError, match='no image files'):
        list_images(str(tmp_path / 'empty'))
