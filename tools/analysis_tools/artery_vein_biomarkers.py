"""The optic disc, CRAE, CRVE, AVR and per-class features of a data set's
manual artery/vein labels, one CSV row per image, by the code
``tools/infer.py`` runs on an artery/vein model's maps::

    python tools/analysis_tools/artery_vein_biomarkers.py \
        --data-root data/RITE --split test --field-angle 45 --out manual.csv

The table has the columns of ``tools/infer.py``'s artery/vein table that
describe the vessels (``stem``, the biomarkers, ``reason``), so that
``tools/analysis_tools/morphology_agreement.py manual.csv
work_dirs/infer/inference.csv`` compares a model with the labels. The
disc is searched on the photograph with the labelled vessels, as
``tools/infer.py`` does with the predicted ones (docs/artery_vein.md).
"""
import argparse
import csv
import io
import math
from typing import List, Optional

from mmseg.utils import register_all_modules

from setr_fundus.datasets import FundusArteryVeinDataset
from setr_fundus.datasets.photo_loader import DEFAULT_LOAD_STEP
from setr_fundus.evaluation.photograph_biomarkers import (BIOMARKER_COLUMNS,
                                                          measure_photograph)
from setr_fundus.fileio import atomic_file, file_stem


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (list[str], optional): Arguments; None reads ``sys.argv``.

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    parser = argparse.ArgumentParser(
        description='Artery/vein biomarkers of manual labels')
    parser.add_argument(
        '--data-root',
        required=True,
        help='a set FundusArteryVeinDataset reads (RITE, or images/ '
        'labels/ [masks/])')
    parser.add_argument(
        '--split',
        default='test',
        choices=['train', 'val', 'test'],
        help="'val': the images held out of the training part "
        '(default test)')
    units = parser.add_mutually_exclusive_group()
    units.add_argument(
        '--field-angle',
        type=float,
        help="the camera's field angle in degrees, for micrometres")
    units.add_argument(
        '--um-per-px', type=float, help='micrometres per pixel instead')
    parser.add_argument('--out', required=True, help='CSV to write')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    """Measure every labelled image and write the table.

    Args:
        argv (list[str], optional): Arguments; None reads ``sys.argv``.

    Returns:
        int: Images measured.
    """
    args = parse_args(argv)
    register_all_modules(init_default_scope=True)
    dataset = FundusArteryVeinDataset(
        data_root=args.data_root,
        split=args.split,
        pipeline=[DEFAULT_LOAD_STEP,
                  dict(type='LoadFundusAnnotations')])
    classes = dataset.metainfo['classes']
    columns = ['stem', *BIOMARKER_COLUMNS, 'reason']
    rows = []
    for index in range(len(dataset)):
        sample = dataset[index]
        stem = file_stem(sample['img_path'])
        found = measure_photograph(
            sample['img'],
            sample['gt_fov_mask'],
            sample['gt_seg_map'],
            classes,
            um_per_px=args.um_per_px,
            field_angle=args.field_angle,
            name=sample['img_path'])
        row = dict(stem=stem, reason=found.reason_text())
        row.update((key, f'{value:.6g}')
                   for key, value in found.values.items()
                   if math.isfinite(value))
        rows.append(row)
        print(f'{stem}: AVR {found.values["avr"]:.3f}'
              f'{"  (" + row["reason"] + ")" if row["reason"] else ""}')
    with atomic_file(args.out) as f:
        f.write(_table(columns, rows).encode('utf-8'))
    print(f'{len(rows)} images in {args.out}')
    return len(rows)


def _table(columns: List[str], rows: List[dict]) -> str:
    """The CSV text of ``rows``."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns, lineterminator='\n')
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue()


if __name__ == '__main__':
    main()
