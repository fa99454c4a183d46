import csv
import os
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmseg.registry import MODELS
from PIL import Image

import setr_fundus  # noqa: F401
from setr_fundus.apis import (ARTERY_VEIN_COLUMNS, VesselSegmenter,
                              list_images, load_model_weights, ok_row,
                              segment_files)
from setr_fundus.datasets import ResizeToFOV, generate_fundus
from setr_fundus.evaluation.photograph_biomarkers import BIOMARKER_COLUMNS
from setr_fundus.models.utils import vessel_segments
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
    probs, class_map = seg.predict(image)
    assert probs.shape == (2, *image.shape[:2])
    assert class_map.shape == image.shape[:2]
    assert probs.dtype == np.float32 and class_map.dtype == np.uint8
    np.testing.assert_allclose(probs.sum(0), 1, atol=1e-6)
    np.testing.assert_array_equal(class_map, probs[1] > 0.5)
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
    np.testing.assert_allclose(probs[1], expected, atol=1e-5)
    assert seg.meta['epoch'] == 1
    assert seg.dataset_meta['classes'] == ('bg', 'vessel')


def test_predict_with_tta(checkpoint, image):
    seg = VesselSegmenter(TINY, checkpoint, tta=True)
    probs, class_map = seg.predict(image)
    assert probs.shape == (2, *class_map.shape)
    assert class_map.shape == image.shape[:2]
    plain, _ = VesselSegmenter(TINY, checkpoint).predict(image)
    assert not np.allclose(probs, plain)  # flips were averaged in
    # the CSV row reads the scale from the first flipped sample
    row = ok_row('x.png', 'x', seg.prepare(image), class_map)
    assert float(row['fov_diameter']) * float(row['scale_x']) == \
        pytest.approx(64, rel=0.05)


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
    other = str(tmp_path / 'other_config.pth')
    state = model.state_dict()
    state['decode_head.conv_seg.weight'] = torch.zeros(5, 1, 1, 1)
    torch.save(dict(state_dict=state), other)
    with pytest.raises(ValueError, match=r'other_config.pth does not fit.*'
                       r'decode_head\.conv_seg\.weight is \(5, 1, 1, 1\)'):
        load_model_weights(model, other)
    junk = str(tmp_path / 'junk.pth')
    torch.save(dict(state_dict=[1, 2]), junk)
    with pytest.raises(ValueError, match='junk.pth'):
        load_model_weights(model, junk)
    with pytest.raises(FileNotFoundError, match='absent.pth'):
        load_model_weights(model, str(tmp_path / 'absent.pth'))


def test_list_images(tmp_path):
    for name in ('b.tif', 'a.png', 'a.JPG', 'c.ppm.gz', 'd.bmp', 'notes.txt',
                 'x.gz'):
        (tmp_path / name).write_bytes(b'x')
    (tmp_path / 'sub.png').mkdir()
    paths = list_images(str(tmp_path))
    assert [osp.basename(p) for p in paths
            ] == ['a.JPG', 'a.png', 'b.tif', 'c.ppm.gz', 'd.bmp']
    assert list_images(paths[2]) == [paths[2]]
    with pytest.raises(FileNotFoundError, match='nowhere'):
        list_images(str(tmp_path / 'nowhere'))
    (tmp_path / 'empty').mkdir()
    with pytest.raises(ValueError, match='no image files.*bmp'):
        list_images(str(tmp_path / 'empty'))


AV_META = dict(
    classes=('background', 'artery', 'vein'),
    palette=[[0, 0, 0], [255, 0, 0], [0, 0, 255]])


@pytest.fixture(scope='module')
def av_checkpoint(cfg, tmp_path_factory) -> str:
    """The tiny model with three classes, saved with their dataset_meta."""
    three = cfg.copy()
    three.merge_from_dict({'model.decode_head.num_classes': 3})
    path = str(tmp_path_factory.mktemp('ckpt') / 'av.pth')
    torch.save(
        dict(
            state_dict=random_model(three).state_dict(),
            meta=dict(dataset_meta=AV_META)), path)
    return path


def test_three_classes_from_photograph_to_files(av_checkpoint, image,
                                                tmp_path):
    seg = VesselSegmenter(
        TINY, av_checkpoint, cfg_options={'model.decode_head.num_classes': 3})
    probs, class_map = seg.predict(image)
    assert probs.shape == (3, *image.shape[:2])
    np.testing.assert_array_equal(class_map, probs.argmax(0))
    photo = str(tmp_path / 'fundus.png')
    cv2.imwrite(photo, image)
    summary = segment_files(
        seg, [photo], str(tmp_path / 'out'), save_npy=True, progress=False)
    assert summary.written == [photo]
    assert sorted(os.listdir(tmp_path / 'out')) == [
        'fundus_classes.png', 'fundus_mask.png', 'fundus_overlay.png',
        'fundus_prob.npy', 'fundus_prob_artery.png', 'fundus_prob_vein.png',
        'inference-shard-00001-of-00001.csv', 'inference.csv'
    ]
    classes = Image.open(tmp_path / 'out' / 'fundus_classes.png')
    np.testing.assert_array_equal(np.asarray(classes), class_map)
    np.testing.assert_allclose(
        np.load(tmp_path / 'out' / 'fundus_prob.npy'), probs)
    # an artery/vein model's row: the biomarkers, each empty one explained
    with open(tmp_path / 'out' / 'inference.csv', newline='') as f:
        reader = csv.DictReader(f)
        row, = reader
    assert tuple(reader.fieldnames) == ARTERY_VEIN_COLUMNS
    assert row['status'] == 'ok'
    empty = [c for c in BIOMARKER_COLUMNS if row[c] == '']
    assert all(f'{c}' in row['reason'] for c in empty), row['reason']
    assert all(float(row[c]) >= 0 for c in ('artery_density', 'vein_density'))


def test_classes_of_checkpoint_and_model_must_agree(cfg, tmp_path):
    # three-class weights without dataset_meta: the vessel classes are
    # assumed, which the model contradicts
    three = cfg.copy()
    three.merge_from_dict({'model.decode_head.num_classes': 3})
    path = str(tmp_path / 'bare_av.pth')
    torch.save(dict(state_dict=random_model(three).state_dict()), path)
    with pytest.raises(ValueError, match='bare_av.pth names the classes'):
        VesselSegmenter(
            TINY, path, cfg_options={'model.decode_head.num_classes': 3})


def test_av_segment_vote_of_the_config_reaches_inference(
        av_checkpoint, image):
    """With ``test_cfg.av_segment_vote`` every segment of the predicted
    vessel map is artery or vein throughout; without it, not."""
    options = {'model.decode_head.num_classes': 3}
    _, pixel_map = VesselSegmenter(TINY, av_checkpoint,
                                   cfg_options=options).predict(image)
    options['model.test_cfg.av_segment_vote'] = dict(artery=1, vein=2)
    _, voted_map = VesselSegmenter(TINY, av_checkpoint,
                                   cfg_options=options).predict(image)
    np.testing.assert_array_equal(voted_map != 0, pixel_map != 0)

    def mixed_segments(class_map):
        segments = vessel_segments(class_map != 0)
        return sum(
            np.unique(class_map[segments == s]).size > 1
            for s in np.unique(segments[segments > 0]))

    assert mixed_segments(pixel_map) > 0
    assert mixed_segments(voted_map) == 0


@pytest.mark.parametrize('name, classes', [
    ('quickstart_drive.py', ('background', 'vessel')),
    ('quickstart_av.py',
     ('background', 'artery', 'vein', 'crossing/uncertain')),
])
def test_quickstart_configs_standardise_colours_before_the_model(
        tmp_path, name, classes):
    """The quickstart configs' test pipeline (``tools/infer.py``'s) maps the
    photograph's FOV to one colour mean and spread: a darker, flatter
    exposure of the same retina reaches the model as (nearly) the same
    input, and both get a prediction."""
    config = osp.join(osp.dirname(__file__), '..', '..', 'configs', name)
    cfg = Config.fromfile(config)
    path = str(tmp_path / 'model.pth')
    torch.save(
        dict(
            state_dict=random_model(cfg).state_dict(),
            meta=dict(dataset_meta=dict(classes=classes))), path)
    seg = VesselSegmenter(config, path)
    img, _, fov = generate_fundus(6, (90, 86))
    darker = np.rint(img * 0.6 + np.float32([4, 8, 16])).astype(np.uint8)
    darker[fov == 0] = img[fov == 0]  # the same surround
    bright = seg.prepare(img)['inputs'].float()
    dark = seg.prepare(darker)['inputs'].float()
    assert np.abs(img.astype(float) - darker)[fov > 0].mean() > 15
    assert (bright - dark).abs().mean() < 1
    probs, class_map = seg.predict(darker)
    assert probs.shape == (len(classes), 90, 86)
    assert class_map.shape == (90, 86)
