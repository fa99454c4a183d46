import os
import pickle
from typing import Optional

import numpy as np
import pytest
import torch
from mmengine.evaluator import Evaluator
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from setr_fundus.evaluation import VesselMetric
from setr_fundus.evaluation.vessel_stats import histogram_auc, vessel_logit

KEYS = ['Dice', 'IoU', 'Acc', 'Se', 'Sp', 'AUC', 'mDice_img', 'clDice']

# Hand example: tp 3, fp 1, fn 2, tn 10.
GT_4X4 = torch.tensor([[1, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 1, 1]])
PRED_4X4 = torch.tensor([[1, 0, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0],
                         [0, 0, 1, 0]])


def _sample(pred: torch.Tensor,
            label: torch.Tensor,
            logits: Optional[torch.Tensor] = None,
            fov: Optional[torch.Tensor] = None) -> dict:
    """A data sample as ``VesselMetric.process`` receives it; one-channel
    logits are stored as probabilities, as mmseg's segmentors do."""
    if logits is None:
        logits = (pred.float() * 4 - 2)[None]
    if logits.shape[0] == 1:
        logits = logits.sigmoid()
    sample = dict(
        pred_sem_seg=dict(data=pred[None]),
        seg_logits=dict(data=logits),
        gt_sem_seg=dict(data=label[None]))
    if fov is not None:
        sample['gt_fov_mask'] = dict(data=fov[None])
    return sample


def _evaluate(samples: list, **kwargs) -> dict:
    metric = VesselMetric(**kwargs)
    metric.process({}, samples)
    return metric.evaluate(len(samples))


def _random_sample(gen: torch.Generator, height: int, width: int,
                   vessel_fraction: float, separation: float) -> dict:
    """Random labels; vessel logits shifted up by ``separation``."""
    label = (torch.rand(height, width, generator=gen) < vessel_fraction).long()
    logits = torch.randn(1, height, width, generator=gen) * 2
    logits += separation * label
    return _sample((logits[0] > 0).long(), label, logits)


def test_hand_example_counts():
    result = _evaluate([_sample(PRED_4X4, GT_4X4)])
    assert list(result) == KEYS
    assert result['Dice'] == pytest.approx(100 * 6 / 9, abs=0.01)
    assert result['IoU'] == pytest.approx(50.0)
    assert result['Acc'] == pytest.approx(100 * 13 / 16, abs=0.01)
    assert result['Se'] == pytest.approx(60.0)
    assert result['Sp'] == pytest.approx(100 * 10 / 11, abs=0.01)
    # The logits separate exactly like the prediction: AUC of a 0/1 score.
    tpr, fpr = 3 / 5, 1 / 11
    assert result['AUC'] == pytest.approx(100 * (1 + tpr - fpr) / 2, abs=0.01)
    assert result['mDice_img'] == result['Dice']
    assert all(isinstance(v, float) for v in result.values())


def test_fov_excludes_outside_pixels():
    fov = torch.ones(4, 4, dtype=torch.uint8)
    fov[:, 3] = 0
    fov[0, 0] = 255  # only value 1 counts as inside
    metric = VesselMetric()
    metric.process({}, [_sample(PRED_4X4, GT_4X4, fov=fov)])
    assert metric.results[0]['counts'].sum() == 11
    expected = metric.evaluate(1)

    inside = fov == 1
    pred = torch.where(inside, PRED_4X4, 1 - PRED_4X4)
    label = torch.where(inside, GT_4X4, 1 - GT_4X4)
    logits = torch.where(inside, pred.float() * 4 - 2, torch.tensor(9.))
    assert _evaluate([_sample(pred, label, logits[None], fov)]) == expected
    assert _evaluate([_sample(PRED_4X4, GT_4X4)]) != expected


def test_ignore_index_excluded():
    label = GT_4X4.clone()
    label[0, :2] = 200
    metric = VesselMetric(ignore_index=200)
    metric.process({}, [_sample(PRED_4X4, label)])
    assert metric.results[0]['counts'].tolist() == [2, 1, 1, 10]
    fov = (label != 200).long()
    assert metric.evaluate(1) == _evaluate(
        [_sample(PRED_4X4, GT_4X4, fov=fov)])


def test_sigmoid_and_softmax_paths_agree():
    gen = torch.Generator().manual_seed(0)
    one = _random_sample(gen, 16, 12, 0.2, 2.0)
    logit = torch.logit(one['seg_logits']['data'].double()).float()
    two = dict(one)
    offset = torch.randn(1, 16, 12, generator=gen) * 3
    two['seg_logits'] = dict(data=torch.cat([offset, offset + logit]))
    result_one, result_two = _evaluate([one]), _evaluate([two])
    for key in KEYS:
        assert result_two[key] == pytest.approx(result_one[key], abs=0.02)
    three = dict(one, seg_logits=dict(data=torch.zeros(3, 16, 12)))
    with pytest.raises(ValueError, match='1 .sigmoid. or 2 .softmax.'):
        _evaluate([three])


@pytest.mark.parametrize('vessel_fraction,separation,seed', [(0.5, 1.0, 0),
                                                             (0.12, 2.5, 1),
                                                             (0.02, 1.5, 2),
                                                             (0.98, 0.5, 3),
                                                             (0.1, 0.0, 4)])
def test_auc_matches_sklearn(vessel_fraction, separation, seed):
    metrics = pytest.importorskip('sklearn.metrics')
    gen = torch.Generator().manual_seed(seed)
    samples = [
        _random_sample(gen, h, w, vessel_fraction, separation)
        for h, w in [(64, 48), (40, 40), (25, 70)]
    ]
    labels = np.concatenate(
        [s['gt_sem_seg']['data'].flatten().numpy() for s in samples])
    probs = np.concatenate([
        s['seg_logits']['data'].flatten().numpy()
        for s in samples
    ])
    expected = metrics.roc_auc_score(labels, probs)
    assert _evaluate(samples)['AUC'] / 100 == pytest.approx(expected, abs=1e-3)


def test_auc_of_confident_logits():
    # A trained model puts most pixels at probabilities within 1e-4 of 0
    # or 1; the histogram must still resolve them.
    metrics = pytest.importorskip('sklearn.metrics')
    gen = torch.Generator().manual_seed(7)
    label = (torch.rand(300, 400, generator=gen) < 0.1).long()
    logits = torch.where(label == 1,
                         torch.randn(300, 400, generator=gen) * 6 + 4,
                         torch.randn(300, 400, generator=gen) * 4 - 10)
    two_channel = torch.stack([torch.zeros_like(logits), logits])
    result = _evaluate([_sample((logits > 0).long(), label, two_channel)])
    expected = metrics.roc_auc_score(label.flatten().numpy(),
                                     logits.flatten().double().numpy())
    assert result['AUC'] / 100 == pytest.approx(expected, abs=1e-3)


def test_histogram_auc_counts_ties_half():
    metrics = pytest.importorskip('sklearn.metrics')
    rng = np.random.default_rng(0)
    bins = rng.integers(0, 7, size=500)
    labels = (rng.random(500) < 0.3 + 0.08 * bins).astype(int)
    background = np.bincount(bins[labels == 0], minlength=7)
    vessel = np.bincount(bins[labels == 1], minlength=7)
    assert histogram_auc(background, vessel) == pytest.approx(
        metrics.roc_auc_score(labels, bins), abs=1e-12)


def test_mean_dice_per_image():
    empty = torch.zeros(4, 4, dtype=torch.long)
    false_alarm = empty.clone()
    false_alarm[1, 1] = 1
    samples = [
        _sample(PRED_4X4, GT_4X4),  # Dice 6/9
        _sample(empty, empty),  # nothing to find, nothing found: 1
        _sample(false_alarm, empty),  # Dice 0
    ]
    result = _evaluate(samples)
    assert result['mDice_img'] == pytest.approx(
        100 * (6 / 9 + 1 + 0) / 3, abs=0.01)
    assert result['Dice'] == pytest.approx(100 * 6 / 10, abs=0.01)


def test_empty_vessel_image_is_defined():
    empty = torch.zeros(5, 5, dtype=torch.long)
    result = _evaluate([_sample(empty, empty)])
    assert np.isnan(result['AUC'])
    for key in ('Dice', 'IoU', 'Acc', 'Se', 'Sp', 'mDice_img'):
        assert result[key] == 100.0


def test_shape_mismatch_names_shapes():
    label = torch.zeros(4, 5, dtype=torch.long)
    with pytest.raises(ValueError, match=r'gt_sem_seg.: \(1, 4, 5\)'):
        _evaluate([_sample(PRED_4X4, label)])
    small_logits = torch.zeros(2, 2, 2)
    with pytest.raises(ValueError, match=r'seg_logits.: \(2, 2, 2\)'):
        _evaluate([_sample(PRED_4X4, GT_4X4, small_logits)])
    with pytest.raises(ValueError, match='gt_fov_mask'):
        _evaluate([_sample(PRED_4X4, GT_4X4, fov=torch.ones(3, 3))])


def test_bad_inputs_raise():
    for num_bins in (0, 1, 2.5, True, '100'):
        with pytest.raises(ValueError, match='num_bins'):
            VesselMetric(num_bins=num_bins)
    for logit_range in (0, -1.0, float('inf'), None):
        with pytest.raises(ValueError, match='logit_range'):
            VesselMetric(logit_range=logit_range)
    with pytest.raises(ValueError, match='ignore_index'):
        VesselMetric(ignore_index=1)
    with pytest.raises(ValueError, match=r'gt_sem_seg values .*\[0, 1, 2\]'):
        _evaluate([_sample(PRED_4X4, GT_4X4 + PRED_4X4)])
    sample = _sample(PRED_4X4, GT_4X4)
    del sample['seg_logits']
    with pytest.raises(KeyError, match='seg_logits'):
        _evaluate([sample])
    with pytest.raises(ValueError, match='no data samples'):
        VesselMetric().compute_metrics([])


def test_result_size_independent_of_image_size():
    gen = torch.Generator().manual_seed(0)
    metric = VesselMetric(num_bins=50)
    metric.process({}, [
        _random_sample(gen, 8, 8, 0.2, 1.0),
        _random_sample(gen, 256, 192, 0.2, 1.0)
    ])
    small, large = (len(pickle.dumps(r)) for r in metric.results)
    assert small == large
    assert metric.results[1]['hist'].shape == (2, 50)
    assert metric.results[1]['hist'].sum() == 256 * 192
    restored = pickle.loads(pickle.dumps(metric.results))
    assert np.array_equal(restored[1]['counts'], metric.results[1]['counts'])


def test_evaluator_two_batches():
    init_default_scope('mmseg')
    gen = torch.Generator().manual_seed(5)
    samples = [_random_sample(gen, 20, 24, 0.15, 2.0) for _ in range(4)]
    samples[3]['gt_fov_mask'] = dict(data=torch.ones(1, 20, 24))
    samples[3]['gt_fov_mask']['data'][:, :5] = 0

    def to_data_sample(sample: dict) -> SegDataSample:
        data_sample = SegDataSample()
        for key, value in sample.items():
            data_sample.set_field(PixelData(data=value['data']), key)
        return data_sample

    evaluator = Evaluator(dict(type='VesselMetric', prefix='val'))
    evaluator.process([to_data_sample(s) for s in samples[:2]])
    evaluator.process([to_data_sample(s) for s in samples[2:]])
    result = evaluator.evaluate(4)
    assert list(result) == [f'val/{key}' for key in KEYS]
    expected = _evaluate(samples)
    assert [result[f'val/{key}']
            for key in KEYS] == [expected[key] for key in KEYS]


def test_output_dir_saves_binary_masks_named_as_infer(tmp_path):
    import cv2
    sample = _sample(PRED_4X4, GT_4X4)
    sample['img_path'] = '/data/STARE/im0001.ppm.gz'
    metric = VesselMetric(output_dir=str(tmp_path / 'preds'))
    metric.process({}, [sample])
    assert os.listdir(tmp_path / 'preds') == ['im0001_mask.png']
    path = str(tmp_path / 'preds' / 'im0001_mask.png')
    mask = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    assert mask.shape == (4, 4) and set(np.unique(mask)) == {0, 255}
    assert np.array_equal(mask > 0, PRED_4X4.numpy() > 0)
    # the bytes tools/test.py --out wrote before the writes became atomic
    cv2.imwrite(str(tmp_path / 'old.png'),
                (PRED_4X4.numpy() > 0).astype(np.uint8) * 255)
    assert (tmp_path / 'old.png').read_bytes() == open(path, 'rb').read()


def test_vessel_logit_is_the_log_odds_of_the_class_probabilities():
    gen = torch.Generator().manual_seed(3)
    logits = torch.randn(2, 5, 6, generator=gen) * 20  # confident pixels
    torch.testing.assert_close(
        vessel_logit(logits), logits[1] - logits[0], atol=1e-4, rtol=1e-5)
    prob = torch.rand(1, 5, 6, generator=gen)
    torch.testing.assert_close(
        vessel_logit(prob), torch.logit(prob[0]), atol=1e-4, rtol=1e-4)


def _lines(height, width, *segments):
    """A bool mask of one-pixel-wide horizontal lines (row, first, last)."""
    mask = torch.zeros(height, width, dtype=torch.long)
    for row, first, last in segments:
        mask[row, first:last + 1] = 1
    return mask


def test_cldice_hand_example():
    """One-pixel-wide vessels are their own skeletons. Label: two vessels of
    10 pixels. Prediction: the first whole, 3 pixels of the second and a
    false 5-pixel vessel. Tprec = 13/18, Tsens = 13/20, so clDice =
    2 * 13 / (18 + 20)."""
    label = _lines(8, 12, (2, 1, 10), (5, 1, 10))
    pred = _lines(8, 12, (2, 1, 10), (5, 1, 3), (7, 2, 6))
    result = _evaluate([_sample(pred, label)])
    assert result['clDice'] == pytest.approx(100 * 26 / 38, abs=0.01)
    # the FOV cuts every line at column 8: Tprec = 10/15, Tsens = 10/14
    fov = torch.ones(8, 12, dtype=torch.uint8)
    fov[:, 8:] = 0
    result = _evaluate([_sample(pred, label, fov=fov)])
    assert result['clDice'] == pytest.approx(100 * 20 / 29, abs=0.01)


def test_cldice_sums_skeleton_counts_over_images():
    label = _lines(8, 12, (2, 1, 10), (5, 1, 10))
    first = _sample(_lines(8, 12, (2, 1, 10)), label)  # 10/10, 10/20
    second = _sample(_lines(8, 12, (2, 1, 10), (5, 1, 10), (7, 1, 10)),
                     label)  # 20/30, 20/20
    result = _evaluate([first, second])
    # Tprec = 30/40, Tsens = 30/40
    assert result['clDice'] == pytest.approx(75.0)


def test_cldice_rewards_centerlines_of_thick_vessels():
    """A one-pixel prediction along a 3-pixel-wide vessel halves Dice but
    keeps its topology: the predicted line lies inside the vessel and
    covers almost all of the vessel's skeleton."""
    label = torch.zeros(7, 13, dtype=torch.long)
    label[2:5, 1:12] = 1
    pred = _lines(7, 13, (3, 1, 11))
    result = _evaluate([_sample(pred, label)])
    assert result['Dice'] == pytest.approx(50.0)
    assert result['clDice'] > 90
    assert _evaluate([_sample(label, label)])['clDice'] == 100.0


def test_cldice_of_empty_masks():
    empty = torch.zeros(6, 6, dtype=torch.long)
    line = _lines(6, 6, (2, 0, 5))
    assert _evaluate([_sample(empty, empty)])['clDice'] == 100.0
    assert _evaluate([_sample(empty, line)])['clDice'] == 0.0
    assert _evaluate([_sample(line, empty)])['clDice'] == 0.0
