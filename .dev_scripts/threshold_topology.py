"""Vessel Dice and the skeleton graph against the manual labels at several
probability thresholds, to see what the threshold does to thin vessels
(issue 21 item 4; docs/topology.md)::

    python .dev_scripts/threshold_topology.py configs/quickstart_drive.py \
        CKPT --data-root data/DRIVE --split val \
        --thresholds 0.3 0.4 0.5 0.6 --out work_dirs/topology/qd_val.csv

One CSV row per threshold: ``dice`` (pooled inside the FOV, at the
photograph's pixels, as ``VesselMetric``) and, for each graph feature of
``VesselMorphology``, the model's mean and its bias in percent of the
labels' mean (``morphology_agreement.py``'s bias).
"""
import argparse
import csv
import os
import os.path as osp

import numpy as np
import torch
from mmengine.dataset import pseudo_collate

from setr_fundus.apis.inference import VesselSegmenter
from setr_fundus.datasets import FundusVesselDataset
from setr_fundus.datasets.fov_geometry import FOVCircle
from setr_fundus.evaluation import VesselMorphology
from setr_fundus.evaluation.vessel_stats import dice_score
from setr_fundus.models.utils import class_probabilities
from setr_fundus.utils import load_config

FEATURES = ('density', 'skeleton_length', 'segments', 'branch_points',
            'end_points', 'caliber_median', 'caliber_widest')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--data-root', required=True)
    parser.add_argument('--split', default='val')
    parser.add_argument(
        '--thresholds', type=float, nargs='+', default=[0.5])
    parser.add_argument('--out', required=True)
    args = parser.parse_args()
    segmenter = VesselSegmenter(args.config, args.checkpoint)
    morphology = VesselMorphology()
    dataset = FundusVesselDataset(
        data_root=args.data_root,
        split=args.split,
        pipeline=load_config(args.config).test_pipeline)
    counts = {t: np.zeros(3) for t in args.thresholds}  # tp, fp, fn
    features = {t: [] for t in ['label', *args.thresholds]}
    for index in range(len(dataset)):
        with torch.no_grad():
            sample = segmenter.model.test_step(
                pseudo_collate([dataset[index]]))[0]
        vessel = class_probabilities(sample.seg_logits.data)[1].numpy()
        gt = sample.gt_sem_seg.data[0].numpy()
        fov = sample.gt_fov_mask.data[0].numpy() == 1
        circle = FOVCircle(*sample.fov_circle, True)
        valid = fov & (gt != 255)
        label = gt == 1
        features['label'].append(
            morphology(label.astype(np.uint8), fov, circle))
        for threshold in args.thresholds:
            pred = vessel >= threshold
            counts[threshold] += [(pred & label)[valid].sum(),
                                  (pred & ~label)[valid].sum(),
                                  (~pred & label)[valid].sum()]
            features[threshold].append(
                morphology(pred.astype(np.uint8), fov, circle))
        print(osp.basename(sample.img_path), flush=True)
    label_means = {
        name: np.mean([f[name] for f in features['label']])
        for name in FEATURES
    }
    rows = [dict(threshold='label', dice=100.0, **label_means)]
    for threshold in args.thresholds:
        tp, fp, fn = counts[threshold]
        row = dict(threshold=threshold, dice=100 * dice_score(tp, fp, fn))
        for name in FEATURES:
            mean = np.mean([f[name] for f in features[threshold]])
            row[name] = mean
            row[f'{name}_bias_pct'] = 100 * (mean / label_means[name] - 1)
        rows.append(row)
        print(' '.join(f'{k}={v:.4g}' for k, v in row.items()), flush=True)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w', newline='') as file:
        writer = csv.DictWriter(file, list(rows[-1]), restval='')
        writer.writeheader()
        writer.writerows(rows)


if __name__ == '__main__':
    main()
