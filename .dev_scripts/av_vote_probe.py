"""AVMetric of an artery/vein model without and with the per-segment vote
(``test_cfg.av_segment_vote``), from one pass of the model (issue 23;
docs/artery_vein.md)::

    python .dev_scripts/av_vote_probe.py configs/quickstart_av.py CKPT \
        --split val --out work_dirs/av_vote/val.csv

Rows: ``pixel`` (the model's own decisions), ``vote`` (one decision per
segment of the predicted vessel), ``vote_bend_B`` (one decision per vessel:
segments that continue each other through a junction with a bend of at
most B degrees, ``av_segment_vote(max_bend=B)``) and ``vote_reach_R`` (the
vote also given to pixels off the predicted vessel within R photograph
pixels of a segment, for the ground-truth vessel pixels the model missed).
"""
import argparse
import csv
import os
import os.path as osp

import torch
from mmengine.config import DictAction
from mmengine.dataset import pseudo_collate
from scipy import ndimage

from setr_fundus.apis.inference import VesselSegmenter
from setr_fundus.datasets import FundusArteryVeinDataset
from setr_fundus.evaluation import AVMetric
from setr_fundus.models.utils import (av_segment_vote, set_av_log_odds,
                                      vessel_segments)
from setr_fundus.utils import load_config

ARTERY, VEIN = 1, 2


def vote_with_reach(logits: torch.Tensor, reach: float) -> torch.Tensor:
    """:func:`av_segment_vote`, then pixels off the vessel within ``reach``
    px of a segment take its vote (their own vessel logit kept)."""
    voted = av_segment_vote(logits, ARTERY, VEIN)
    data = voted.numpy().copy()
    vessel = data.argmax(0) != 0
    segments = vessel_segments(vessel)
    dist, (rows, cols) = ndimage.distance_transform_edt(
        segments == 0, return_indices=True)
    near = ~vessel & (dist <= reach) & (segments[rows, cols] > 0)
    odds = data[ARTERY] - data[VEIN]
    set_av_log_odds(data, ARTERY, VEIN, near, odds[rows, cols][near])
    return torch.from_numpy(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--data-root', default='data/RITE')
    parser.add_argument('--split', default='val')
    parser.add_argument('--bends', type=float, nargs='*', default=[20, 30, 45])
    parser.add_argument('--reach', type=float, nargs='*', default=[2, 4])
    parser.add_argument('--out', required=True)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args()
    segmenter = VesselSegmenter(
        args.config, args.checkpoint, cfg_options=args.cfg_options)
    segmenter.model.test_cfg.pop('av_segment_vote', None)
    dataset = FundusArteryVeinDataset(
        data_root=args.data_root,
        split=args.split,
        pipeline=load_config(args.config,
                             args.cfg_options).test_pipeline)
    variants = {
        'pixel': lambda x: x,
        'vote': lambda x: av_segment_vote(x, ARTERY, VEIN),
        **{
            f'vote_bend_{b:g}':
            (lambda x, b=b: av_segment_vote(x, ARTERY, VEIN, max_bend=b))
            for b in args.bends
        },
        **{
            f'vote_reach_{r:g}': (lambda x, r=r: vote_with_reach(x, r))
            for r in args.reach
        }
    }
    metrics = {name: AVMetric() for name in variants}
    for index in range(len(dataset)):
        with torch.no_grad():
            sample = segmenter.model.test_step(
                pseudo_collate([dataset[index]]))[0]
        for name, variant in variants.items():
            logits = variant(sample.seg_logits.data)
            out = sample.clone()
            out.seg_logits.data = logits
            out.pred_sem_seg.data = logits.argmax(0, keepdim=True)
            metrics[name].process({}, [out.to_dict()])
        print(osp.basename(sample.img_path), flush=True)
    rows = [
        dict(variant=name, **metric.compute_metrics(metric.results))
        for name, metric in metrics.items()
    ]
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w', newline='') as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    for row in rows:
        print(', '.join(f'{k}={v}' for k, v in row.items()))


if __name__ == '__main__':
    main()
