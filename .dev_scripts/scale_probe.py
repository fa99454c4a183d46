"""Per photograph: vessel Dice at several segmentation scales, and the
vessel widths of its label and of the model's map, to choose how the scale
should follow the photograph (issue 21; docs/scale.md)::

    python .dev_scripts/scale_probe.py configs/quickstart_drive.py CKPT \
        --data-root data/HRF --split train --holdout 0 \
        --fovs 540 810 1080 1620 --out work_dirs/scale_probe/hrf.csv

One CSV row per photograph and scale: ``fov_px`` (the photograph's FOV
diameter), ``fov_diameter`` (the scale it was segmented at), ``dice`` (inside
the FOV, at the photograph's pixels, as ``VesselMetric``), and the median
and widest-six calibers (``VesselMorphology``, normalised px of a 540 px FOV)
of the label and of the prediction.
"""
import argparse
import copy
import csv
import os
import os.path as osp
import time

import numpy as np
import torch
from mmengine.dataset import pseudo_collate

from setr_fundus.apis.inference import VesselSegmenter
from setr_fundus.datasets import FundusVesselDataset
from setr_fundus.datasets.fov_geometry import FOVCircle
from setr_fundus.evaluation import VesselMorphology
from setr_fundus.utils import load_config


def dice(pred: np.ndarray, gt: np.ndarray, valid: np.ndarray) -> float:
    """Vessel Dice (percent) over the valid pixels."""
    p, g = pred[valid] == 1, gt[valid] == 1
    return float(200 * (p & g).sum() / max(p.sum() + g.sum(), 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--data-root', required=True)
    parser.add_argument('--split', default='train')
    parser.add_argument('--holdout', type=float, default=0.2)
    parser.add_argument('--fovs', type=int, nargs='+', default=[540])
    parser.add_argument('--out', required=True)
    args = parser.parse_args()
    segmenter = VesselSegmenter(args.config, args.checkpoint)
    morphology = VesselMorphology()
    rows = []
    for fov_diameter in args.fovs:
        pipeline = copy.deepcopy(load_config(args.config).test_pipeline)
        for step in pipeline:
            if step['type'] == 'ResizeToFOV':
                step.update(fov_diameter=fov_diameter, max_fov_diameter=None)
        dataset = FundusVesselDataset(
            data_root=args.data_root,
            split=args.split,
            holdout=args.holdout,
            pipeline=pipeline)
        for index in range(len(dataset)):
            start = time.time()
            data = dataset[index]
            with torch.no_grad():
                sample = segmenter.model.test_step(pseudo_collate([data]))[0]
            pred = sample.pred_sem_seg.data[0].numpy()
            gt = sample.gt_sem_seg.data[0].numpy()
            fov = sample.gt_fov_mask.data[0].numpy() == 1
            circle = FOVCircle(*sample.fov_circle, True)
            row = dict(
                image=osp.basename(sample.img_path),
                fov_px=circle.diameter,
                fov_diameter=fov_diameter,
                dice=dice(pred, gt, fov & (gt != 255)),
                seconds=time.time() - start)
            for name, mask in (('label', gt == 1), ('pred', pred == 1)):
                features = morphology(mask.astype(np.uint8), fov, circle)
                row[f'{name}_caliber_median'] = features['caliber_median']
                row[f'{name}_caliber_widest'] = features['caliber_widest']
                row[f'{name}_density'] = features['density']
            rows.append(row)
            print(' '.join(f'{k}={v:.4g}' if isinstance(v, float) else
                           f'{k}={v}' for k, v in row.items()), flush=True)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w', newline='') as file:
        writer = csv.DictWriter(file, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == '__main__':
    main()
