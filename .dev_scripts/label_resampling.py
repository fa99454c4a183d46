"""How well a vessel label survives being shrunk, per resampling rule.

Each label of a set's part is shrunk by ``--scale`` (nearest neighbour, or
area averaging thresholded at each ``--thresholds`` value), brought back to
its resolution (bilinear, threshold 0.5, as the model's logits are) and
compared with the original: the round-trip Dice and the share of the
label's centreline (skimage skeleton) that is kept. ``ResizeToFOV``'s
``label_threshold`` was chosen with it (docs/data.md)::

    python .dev_scripts/label_resampling.py data/CHASE_DB1 \
        --split train --scale 0.589
"""
import argparse
from typing import List, Optional, Tuple

import cv2
import numpy as np
from skimage.morphology import skeletonize

from setr_fundus.datasets import FundusVesselDataset
from setr_fundus.datasets.fundus_io import read_label


def round_trip(label: np.ndarray, scale: float,
               threshold: Optional[float]) -> Tuple[float, float]:
    """Round-trip Dice and kept centreline share of one label.

    Args:
        label (np.ndarray): HxW {0, 1} label.
        scale (float): Shrink factor.
        threshold (float, optional): Area-averaging threshold; None for
            nearest neighbour.

    Returns:
        tuple[float, float]: Dice and centreline share, in [0, 1].
    """
    h, w = label.shape
    size = (max(round(w * scale), 1), max(round(h * scale), 1))
    if threshold is None:
        small = cv2.resize(label, size, interpolation=cv2.INTER_NEAREST)
    else:
        area = cv2.resize(label.astype(np.float32), size,
                          interpolation=cv2.INTER_AREA)
        small = (area >= threshold).astype(np.uint8)
    back = cv2.resize(small.astype(np.float32), (w, h),
                      interpolation=cv2.INTER_LINEAR) >= 0.5
    vessel = label.astype(bool)
    dice = 2 * (back & vessel).sum() / max(back.sum() + vessel.sum(), 1)
    skeleton = skeletonize(vessel)
    kept = (skeleton & back).sum() / max(skeleton.sum(), 1)
    return float(dice), float(kept)


def main(argv: Optional[List[str]] = None) -> None:
    """Print the table.

    Args:
        argv (list[str], optional): Arguments; None reads ``sys.argv``.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('data_root')
    parser.add_argument(
        '--split', default='train', choices=['train', 'test'],
        help='the whole training part, or the test part')
    parser.add_argument('--scale', type=float, required=True)
    parser.add_argument(
        '--thresholds', type=float, nargs='+', default=[0.5, 0.4, 0.33, 0.25])
    args = parser.parse_args(argv)
    dataset = FundusVesselDataset(
        data_root=args.data_root, split=args.split, holdout=0)
    labels = [
        read_label(dataset.get_data_info(i)['seg_map_path'])
        for i in range(len(dataset))
    ]
    print(f'{len(labels)} labels of {args.data_root} ({args.split}) shrunk '
          f'x{args.scale:g} and back')
    print('| rule | round-trip Dice | centreline kept |\n|---|---:|---:|')
    for threshold in [None, *args.thresholds]:
        dice, kept = np.mean(
            [round_trip(label, args.scale, threshold) for label in labels],
            axis=0)
        rule = 'nearest' if threshold is None else f'area >= {threshold:g}'
        print(f'| {rule} | {100 * dice:.2f} | {100 * kept:.1f} % |')


if __name__ == '__main__':
    main()
