import os

import cv2
import numpy as np
import pytest
from PIL import Image

from setr_fundus.datasets import FundusVesselDataset
from setr_fundus.fileio import prediction_kinds, prediction_paths
from setr_fundus.visualization import write_prediction_maps

AV_META = dict(
    classes=('background', 'artery', 'vein'),
    palette=[[0, 0, 0], [255, 0, 0], [0, 0, 255]])


def _prediction(num_classes: int, seed: int = 0) -> tuple:
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(num_classes, 6, 5)) * 3
    probs = np.exp(logits) / np.exp(logits).sum(0)
    image = rng.integers(0, 256, (6, 5, 3), dtype=np.uint8)
    return probs.astype(np.float32), probs.argmax(0).astype(np.uint8), image


def test_two_classes_write_the_vessel_files_as_before(tmp_path):
    """Pins the bytes of the two-class files: ``cv2.imwrite`` of the old
    formulas (0/255 mask, probability x 255 rounded, green at 70 %)."""
    probs, class_map, image = _prediction(2)
    meta = dict(FundusVesselDataset.METAINFO)
    kinds = prediction_kinds(meta['classes'], save_npy=True)
    paths = prediction_paths(str(tmp_path), 'a', kinds)
    assert write_prediction_maps(paths, class_map, probs, image,
                                 meta) == list(paths.values())
    assert sorted(os.listdir(tmp_path)) == [
        'a_mask.png', 'a_overlay.png', 'a_prob.npy', 'a_prob.png'
    ]
    vessel = class_map == 1
    overlay = image.copy()
    overlay[vessel] = (image[vessel] * 0.3 + np.array([0, 255, 0]) * 0.7 +
                       0.5).astype(np.uint8)
    expected = dict(
        mask=vessel.astype(np.uint8) * 255,
        prob=np.round(np.clip(probs[1], 0, 1) * 255).astype(np.uint8),
        overlay=overlay)
    for kind, array in expected.items():
        old = str(tmp_path / f'old_{kind}.png')
        cv2.imwrite(old, array)
        with open(old, 'rb') as f, open(paths[kind], 'rb') as g:
            assert f.read() == g.read(), kind
    np.testing.assert_array_equal(np.load(paths['npy']), probs[1])


def test_more_classes_write_class_map_and_per_class_probabilities(tmp_path):
    probs, class_map, image = _prediction(3)
    class_map[0, :3] = [0, 1, 2]  # every class present
    kinds = prediction_kinds(AV_META['classes'], save_npy=True)
    paths = prediction_paths(str(tmp_path), 'a', kinds)
    write_prediction_maps(paths, class_map, probs, image, AV_META)
    assert sorted(os.listdir(tmp_path)) == [
        'a_classes.png', 'a_mask.png', 'a_overlay.png', 'a_prob.npy',
        'a_prob_artery.png', 'a_prob_vein.png'
    ]
    classes = Image.open(paths['classes'])
    assert classes.mode == 'P'
    np.testing.assert_array_equal(np.asarray(classes), class_map)
    assert classes.getpalette()[:9] == [0, 0, 0, 255, 0, 0, 0, 0, 255]
    mask = cv2.imread(paths['mask'], cv2.IMREAD_UNCHANGED)
    np.testing.assert_array_equal(mask, (class_map > 0) * 255)  # vessels
    for index, name in ((1, 'artery'), (2, 'vein')):
        prob = cv2.imread(paths[f'prob_{name}'], cv2.IMREAD_UNCHANGED)
        np.testing.assert_array_equal(
            prob,
            np.round(probs[index] * 255).astype(np.uint8))
    overlay = cv2.imread(paths['overlay'])
    np.testing.assert_array_equal(overlay[class_map == 0],
                                  image[class_map == 0])
    vein = class_map == 2
    np.testing.assert_array_equal(
        overlay[vein], (image[vein] * 0.3 + np.array([255, 0, 0]) * 0.7 +
                        0.5).astype(np.uint8))  # BGR blue
    np.testing.assert_array_equal(np.load(paths['npy']), probs)


def test_classes_must_match(tmp_path):
    probs, class_map, image = _prediction(3)
    paths = prediction_paths(str(tmp_path), 'a', ['mask'])
    with pytest.raises(ValueError, match='3 classes.*names 2'):
        write_prediction_maps(paths, class_map, probs, image,
                              FundusVesselDataset.METAINFO)
    paths = prediction_paths(str(tmp_path), 'a', ['prob_nerve'])
    with pytest.raises(ValueError, match='prob_nerve'):
        write_prediction_maps(paths, class_map, probs, image, AV_META)
