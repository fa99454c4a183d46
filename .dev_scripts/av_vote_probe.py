"""AVMetric of an artery/vein model without and with the per-segment vote
(``test_cfg.av_segment_vote``), from one pass of the model (issue 23;
docs/artery_vein.md)::

    python .dev_scripts/av_vote_probe.py configs/quickstart_av.py CKPT \
        --split val --out work_dirs/av_vote/val.csv

Rows: ``pixel`` (the model's own decisions), ``vote`` (one decision per
segment of the predicted vessel), ``vote_bend_B`` (one decision per vessel:
segments that continue each other through a junction with a bend of at
most B degrees, ``av_segment_vote(max_bend=B)``), ``vote_reach_R`` (the
vote also given to pixels off the predicted vessel within R photograph
pixels of a segment, for the ground-truth vessel pixels the model missed),
``vote_centre`` (each pixel's log-odds weighted by its depth inside the
vessel, so the centreline counts more than the edges) and ``colour_A`` (the
vote plus A x the log-odds of a logistic regression fitted per photograph
on its confident segments' colours relative to the background around them
and their widths: the photograph's own arteries and veins teach the type of
its unsure segments).
"""
import argparse
import csv
import os
import os.path as osp

import cv2
import numpy as np
import torch
from mmengine.config import DictAction
from mmengine.dataset import pseudo_collate
from scipy import ndimage
from sklearn.linear_model import LogisticRegression

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


def segment_means(values: np.ndarray, ids: np.ndarray,
                  weights: np.ndarray) -> np.ndarray:
    """Weighted mean of ``values`` per segment id (index = id)."""
    return (np.bincount(ids, weights=values * weights) /
            np.maximum(np.bincount(ids, weights=weights), 1e-9))


def segment_colours(img_path: str, vessel: np.ndarray, on: np.ndarray,
                    ids: np.ndarray) -> np.ndarray:
    """Per segment: its mean B, G, R (standardised over the photograph's
    field of view) minus the mean of the background within 20 px, and its
    mean depth inside the vessel (half its width)."""
    img = cv2.imread(img_path, cv2.IMREAD_COLOR).astype(np.float64)
    fov = img.sum(2) > 30
    background = (~vessel & fov).astype(np.float64)
    around = np.maximum(ndimage.uniform_filter(background, 41), 1e-3)
    features = []
    for channel in np.moveaxis(img, 2, 0):
        z = (channel - channel[fov].mean()) / (channel[fov].std() + 1e-6)
        local = z - ndimage.uniform_filter(z * background, 41) / around
        features.append(segment_means(local[on], ids, np.ones(ids.size)))
    depth = ndimage.distance_transform_edt(vessel)[on]
    features.append(segment_means(depth, ids, np.ones(ids.size)))
    return np.stack(features, 1)


def vote_variants(logits: torch.Tensor, img_path: str,
                  weights: list) -> dict:
    """``vote_centre`` and ``colour_A`` for each A in ``weights``."""
    data = logits.numpy()
    vessel = data.argmax(0) != 0
    segments = vessel_segments(vessel)
    on = segments > 0
    if not on.any():
        return dict.fromkeys(
            ['vote_centre', *(f'colour_{a:g}' for a in weights)], logits)
    ids = segments[on]
    log_odds = (data[ARTERY] - data[VEIN])[on]
    depth = ndimage.distance_transform_edt(vessel)[on]
    vote = segment_means(log_odds, ids, np.ones(ids.size))
    counts = np.bincount(ids)
    sure = (counts >= 20) & (np.abs(vote) > 1.0)
    colour = np.zeros_like(vote)
    if sure.sum() > 10 and 0 < (vote[sure] > 0).sum() < sure.sum():
        features = segment_colours(img_path, vessel, on, ids)
        kept = counts > 0
        mean, std = features[kept].mean(0), features[kept].std(0) + 1e-6
        classifier = LogisticRegression().fit(
            (features[sure] - mean) / std, vote[sure] > 0,
            sample_weight=counts[sure])
        colour[kept] = classifier.decision_function(
            (features[kept] - mean) / std)

    def voted(segment_odds):
        out = data.copy()
        set_av_log_odds(out, ARTERY, VEIN, on, segment_odds[ids])
        return torch.from_numpy(out)

    return {
        'vote_centre': voted(segment_means(log_odds, ids, depth)),
        **{f'colour_{a:g}': voted(vote + a * colour)
           for a in weights}
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--data-root', default='data/RITE')
    parser.add_argument('--split', default='val')
    parser.add_argument('--bends', type=float, nargs='*', default=[20, 30, 45])
    parser.add_argument('--reach', type=float, nargs='*', default=[2, 4])
    parser.add_argument(
        '--colour', type=float, nargs='*', default=[0.5, 1, 2])
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
    names = [
        *variants, 'vote_centre', *(f'colour_{a:g}' for a in args.colour)
    ]
    metrics = {name: AVMetric() for name in names}
    for index in range(len(dataset)):
        with torch.no_grad():
            sample = segmenter.model.test_step(
                pseudo_collate([dataset[index]]))[0]
        outputs = {
            name: variant(sample.seg_logits.data)
            for name, variant in variants.items()
        }
        outputs.update(
            vote_variants(sample.seg_logits.data.float(), sample.img_path,
                          args.colour))
        for name, logits in outputs.items():
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
