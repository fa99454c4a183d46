"""What joining segments costs at best: the artery/vein accuracy on a
manual vessel tree when every group of pixels takes its true majority type,
for the groups of ``vessel_segments`` and of ``straight_continuations`` at
each bend (docs/artery_vein.md)::

    python .dev_scripts/av_join_ceiling.py data/RITE/training/av \
        --bends 20 30 45 90

Labels are read by the data set's rule for RITE's colours
(``artery_vein_colours``): crossings, uncertain pixels and the few drawn in
colours of no class (ignored in training) belong to the vessel tree but are
not counted.
"""
import argparse
import glob
import os.path as osp

import numpy as np
from PIL import Image

from setr_fundus.datasets.label_rules import decode_classes, get_label_rule
from setr_fundus.models.utils import straight_continuations, vessel_segments

BACKGROUND, ARTERY, VEIN = 0, 1, 2


def majority_hits(groups: np.ndarray, artery: np.ndarray,
                  vein: np.ndarray) -> tuple:
    """Typed pixels whose group's majority type is theirs, typed pixels."""
    counts_a = np.bincount(groups[artery], minlength=groups.max() + 1)[1:]
    counts_v = np.bincount(groups[vein], minlength=groups.max() + 1)[1:]
    return np.maximum(counts_a, counts_v).sum(), (counts_a + counts_v).sum()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('av_dir')
    parser.add_argument('--bends', type=float, nargs='+', default=[30])
    args = parser.parse_args()
    groupings = {'segment': vessel_segments}
    groupings.update({
        f'bend_{b:g}': (lambda v, b=b: straight_continuations(v, b))
        for b in args.bends
    })
    totals = {name: np.zeros(2, np.int64) for name in groupings}
    paths = sorted(glob.glob(osp.join(args.av_dir, '*.png')))
    if not paths:
        raise FileNotFoundError(f'no *.png labels in {args.av_dir}')
    rule = get_label_rule('artery_vein_colours')
    for path in paths:
        classes = decode_classes(
            np.asarray(Image.open(path).convert('RGB')), rule, path)
        artery, vein = classes == ARTERY, classes == VEIN
        vessel = classes != BACKGROUND
        for name, grouping in groupings.items():
            totals[name] += majority_hits(grouping(vessel), artery, vein)
    for name, (hits, typed) in totals.items():
        print(f'{name}: {100 * hits / typed:.2f} % of {typed} typed pixels')


if __name__ == '__main__':
    main()
