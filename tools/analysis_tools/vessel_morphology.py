"""Vascular features of binary vessel masks, one CSV row per image.

Masks of ``tools/test.py --out`` or ``tools/infer.py`` (``<stem>_mask.png``)
or any binary masks, FOV masks matched by stem (a ``_mask`` suffix is
ignored for matching)::

    python tools/analysis_tools/vessel_morphology.py MASK_DIR \
        --fov-dir FOV_DIR --out features.csv [--show-dir DIR]

or a data set's manual labels::

    python tools/analysis_tools/vessel_morphology.py --data-root data/DRIVE \
        --split test --annotator 1 --out observer1.csv

Without ``--fov-dir``, ``--img-dir`` derives each FOV from its photograph
(as the data pipeline does); with neither, the FOV circle is assumed as
wide as the mask, centred, with a warning. Features are measured with the
FOV normalised to ``--fov-diameter`` pixels, calibers on the mask at its own
resolution and reported in the same normalised pixels; columns, formulas and
units: docs/morphology.md.
"""
import argparse
from typing import List, Optional

import numpy as np

from setr_fundus.evaluation import VesselMorphology
from setr_fundus.evaluation.morphology_files import (list_dataset_labels,
                                                     list_mask_folder)
from setr_fundus.evaluation.morphology_table import (measure_files,
                                                     write_feature_csv)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (list[str], optional): Arguments; None reads ``sys.argv``.

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    parser = argparse.ArgumentParser(
        description='Vessel density, fractal dimension, skeleton graph, '
        'caliber and tortuosity of binary vessel masks')
    parser.add_argument(
        'mask_dir',
        nargs='?',
        help='folder of binary masks (vessel > 127), e.g. tools/test.py --out')
    parser.add_argument(
        '--fov-dir', help='FOV masks, matched by stem (a _mask suffix is ok)')
    parser.add_argument(
        '--img-dir',
        help='photographs, matched by stem, to derive the FOV from where '
        'there is no --fov-dir')
    parser.add_argument(
        '--data-root',
        help='measure the manual labels of this data set instead of a '
        'mask folder')
    parser.add_argument(
        '--split',
        default='test',
        choices=['train', 'val', 'test'],
        help='with --data-root: the split (default test)')
    parser.add_argument(
        '--annotator',
        type=int,
        default=1,
        choices=[1, 2],
        help='with --data-root: the observer (default 1)')
    parser.add_argument('--out', required=True, help='the CSV file to write')
    parser.add_argument(
        '--show-dir',
        help='write a picture per image: centreline coloured by width, '
        'branch and end points')
    parser.add_argument(
        '--fov-diameter',
        type=int,
        default=540,
        help='normalised FOV diameter in pixels (default 540)')
    scale = parser.add_mutually_exclusive_group()
    scale.add_argument(
        '--um-per-px',
        type=float,
        help='micrometres per pixel of the masks, for micrometre columns')
    scale.add_argument(
        '--field-angle',
        type=float,
        help='camera field of view in degrees (e.g. 45), for micrometre '
        'columns')
    args = parser.parse_args(argv)
    if (args.mask_dir is None) == (args.data_root is None):
        parser.error('give either MASK_DIR or --data-root')
    if args.data_root is not None and (args.fov_dir or args.img_dir):
        parser.error('--fov-dir and --img-dir go with MASK_DIR; with '
                     '--data-root the set\'s own FOV masks are used')
    return args


def main(argv: Optional[List[str]] = None) -> None:
    """Measure the masks and write the CSV (and pictures).

    Args:
        argv (list[str], optional): Arguments; None reads ``sys.argv``.
    """
    args = parse_args(argv)
    morphology = VesselMorphology(
        fov_diameter=args.fov_diameter,
        um_per_px=args.um_per_px,
        field_angle=args.field_angle)
    if args.data_root is not None:
        files = list_dataset_labels(args.data_root, args.split, args.annotator)
        source = (f'{args.data_root} {args.split} labels of observer '
                  f'{args.annotator}')
    else:
        files = list_mask_folder(args.mask_dir, args.fov_dir, args.img_dir)
        source = args.mask_dir
    rows = measure_files(files, morphology, args.show_dir)
    write_feature_csv(rows, morphology.columns, args.out)
    print(f'measured {len(rows)} masks of {source} -> {args.out}')
    for column in morphology.columns:
        values = np.array([row[column] for row in rows], dtype=np.float64)
        values = values[~np.isnan(values)]
        if values.size:
            print(f'  {column:28s} mean {values.mean():10.4g}   '
                  f'sd {values.std(ddof=1) if values.size > 1 else 0:10.4g}')


if __name__ == '__main__':
    main()
