"""mmseg's own inference APIs on every config, with weights files as
FundusCheckpointHook writes them: ``init_model`` + ``inference_model``,
``MMSegInferencer`` (array and file input, ``out_dir``) and the calls of
mmseg 1.2.2's ``demo/image_demo.py``. Each gives the logits of
``tools/infer.py`` (:class:`VesselSegmenter`) on the same photograph."""
import glob
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.model import revert_sync_batchnorm
from mmseg.apis import (MMSegInferencer, inference_model, init_model,
                        show_result_pyplot)

import setr_fundus  # noqa: F401
from setr_fundus.apis import VesselSegmenter
from setr_fundus.datasets import FundusVesselDataset, generate_fundus
from setr_fundus.models.utils import class_probabilities
from tests.model_utils import random_model

CONFIG_DIR = osp.join(osp.dirname(__file__), '..', '..', 'configs')
# the vessel configs; the artery/vein configs' weights carry their own classes
CONFIGS = sorted(
    p for p in glob.glob(osp.join(CONFIG_DIR, '*.py'))
    if '_base_' not in p and not p.endswith('_av.py'))


@pytest.fixture(scope='module', params=CONFIGS, ids=osp.basename)
def weights(request, tmp_path_factory) -> tuple:
    """``(config, weights file)``: the config's model with random weights,
    saved as ``{'meta', 'state_dict'}`` of plain values."""
    model = random_model(Config.fromfile(request.param))
    path = str(tmp_path_factory.mktemp('weights') / 'best_model.pth')
    meta = dict(epoch=1, dataset_meta=dict(FundusVesselDataset.METAINFO))
    torch.save(dict(meta=meta, state_dict=model.state_dict()), path)
    return request.param, path


@pytest.fixture(scope='module')
def photo(tmp_path_factory) -> tuple:
    """``(path, BGR array)`` of a 224x224 synthetic fundus PNG."""
    img = generate_fundus(5, (224, 224))[0]
    path = str(tmp_path_factory.mktemp('photo') / 'fundus.png')
    cv2.imwrite(path, img)
    return path, img


def _vessel_probability(sample) -> np.ndarray:
    return class_probabilities(sample.seg_logits.data)[1].cpu().numpy()


@pytest.fixture(scope='module')
def expected(weights, photo) -> np.ndarray:
    """The vessel probability ``tools/infer.py`` gives for the photo."""
    return VesselSegmenter(*weights).predict(photo[1])[0][1]


def test_weights_file_loads_with_torch_defaults(weights):
    ckpt = torch.load(weights[1], weights_only=True)
    assert set(ckpt) == {'meta', 'state_dict'}


def test_init_model_and_inference_model(weights, photo, expected):
    config, checkpoint = weights
    model = init_model(config, checkpoint, device='cpu')
    assert model.dataset_meta['classes'] == ('background', 'vessel')
    path, img = photo
    from_file = inference_model(model, path)
    assert from_file.pred_sem_seg.shape == img.shape[:2]
    np.testing.assert_allclose(
        _vessel_probability(from_file), expected, atol=1e-5)
    model = init_model(config, checkpoint, device='cpu')
    from_array = inference_model(model, img)
    np.testing.assert_allclose(
        _vessel_probability(from_array), expected, atol=1e-5)


def test_mmseg_inferencer_arrays_files_and_out_dir(weights, photo, expected,
                                                   tmp_path):
    config, checkpoint = weights
    inferencer = MMSegInferencer(
        model=config, weights=checkpoint, device='cpu')
    path, img = photo
    for inputs in (img, path):
        result = inferencer(inputs, return_datasamples=True)
        np.testing.assert_allclose(
            _vessel_probability(result), expected, atol=1e-5)
    result = inferencer(path, out_dir=str(tmp_path))
    assert result['predictions'].shape == img.shape[:2]
    assert cv2.imread(str(tmp_path / 'vis' / 'fundus.png')).shape == img.shape
    preds = list((tmp_path / 'pred').iterdir())
    assert len(preds) == 1
    pred = cv2.imread(str(preds[0]), cv2.IMREAD_UNCHANGED)
    np.testing.assert_array_equal(pred, result['predictions'])


def test_image_demo_calls(weights, photo, tmp_path):
    """What ``python demo/image_demo.py IMG CONFIG CKPT --device cpu
    --out-file OUT`` of mmseg 1.2.2 runs."""
    config, checkpoint = weights
    path, img = photo
    model = init_model(config, checkpoint, device='cpu')
    model = revert_sync_batchnorm(model)
    result = inference_model(model, path)
    out_file = str(tmp_path / 'result.jpg')
    show_result_pyplot(
        model,
        path,
        result,
        title='result',
        opacity=0.5,
        with_labels=False,
        draw_gt=False,
        show=False,
        out_file=out_file)
    assert cv2.imread(out_file).shape == img.shape
