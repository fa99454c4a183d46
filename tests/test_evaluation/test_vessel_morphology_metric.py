"""VesselMorphologyMetric in a test_evaluator list after VesselMetric."""
import csv

import numpy as np
import pytest
import torch
from mmengine.evaluator import Evaluator
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from setr_fundus.datasets.fov_geometry import FOVCircle
from setr_fundus.evaluation import VesselMorphology, VesselMorphologyMetric

SIZE = 150


def _sample(seed: int) -> SegDataSample:
    """A data sample as the test loop hands it to the evaluator: random
    vessel lines, prediction = label, FOV disc and its circle."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:SIZE, :SIZE]
    fov = np.hypot(yy - 74.5, xx - 74.5) <= 70
    vessel = np.zeros((SIZE, SIZE), bool)
    for _ in range(5):
        r0, c0, r1, c1 = rng.integers(25, 125, size=4)
        t = np.linspace(0, 1, 300)
        vessel[np.round(r0 + t * (r1 - r0)).astype(int),
               np.round(c0 + t * (c1 - c0)).astype(int)] = True
    vessel &= fov
    pred = torch.from_numpy(vessel.astype(np.int64))[None]
    sample = SegDataSample(
        metainfo=dict(
            img_path=f'data/x/{seed:02d}_test.tif',
            fov_circle=(74.5, 74.5, 141.0)))
    sample.pred_sem_seg = PixelData(data=pred)
    sample.seg_logits = PixelData(data=pred.float() * 8 - 4)
    sample.gt_sem_seg = PixelData(data=pred)
    sample.gt_fov_mask = PixelData(
        data=torch.from_numpy(fov.astype(np.uint8))[None])
    return sample


def test_metric_after_vessel_metric(tmp_path):
    init_default_scope('mmseg')
    out = tmp_path / 'morph.csv'
    evaluator = Evaluator([
        dict(type='VesselMetric'),
        dict(type='VesselMorphologyMetric', output_file=str(out))
    ])
    samples = [_sample(seed) for seed in range(3)]
    evaluator.process(samples)
    metrics = evaluator.evaluate(len(samples))
    assert metrics['Dice'] == 100.0
    expected = [
        VesselMorphology()(s.pred_sem_seg.data[0].numpy(),
                           s.gt_fov_mask.data[0].numpy(),
                           FOVCircle(74.5, 74.5, 141.0)) for s in samples
    ]
    for key in ('density', 'fractal_dimension', 'skeleton_length', 'segments',
                'branch_points', 'caliber_median', 'tortuosity_distance',
                'tortuosity_curvature'):
        assert metrics[f'morph/{key}'] == pytest.approx(
            np.mean([e[key] for e in expected]), abs=1e-4), key
    assert 'morph/scale' not in metrics
    with open(out, newline='') as f:
        rows = list(csv.DictReader(f))
    assert [r['image'] for r in rows] == ['00_test', '01_test', '02_test']
    assert float(rows[1]['segments']) == expected[1]['segments']


def test_metric_results_are_small_and_fov_optional():
    metric = VesselMorphologyMetric(fov_diameter=128, prefix='m')
    sample = _sample(0).to_dict()
    del sample['gt_fov_mask'], sample['fov_circle']
    metric.process({}, [sample])
    result, = metric.results
    assert all(isinstance(v, float) for k, v in result.items() if k != 'image')
    assert result['fov_fitted'] == 0.0  # no FOV: the image-wide circle
    assert 'm/density' in metric.evaluate(1)
    with pytest.raises(KeyError, match='pred_sem_seg'):
        metric.process({}, [dict(img_path='a.png')])
