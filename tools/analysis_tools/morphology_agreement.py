"""Agreement of feature CSVs with a reference CSV, as a Markdown table.

Per feature: the reference mean (sd) and, for every other CSV, the
intraclass correlation ICC(2,1) (two-way random, absolute agreement,
single rater; Shrout & Fleiss 1979), the mean absolute difference and the
mean difference (other minus reference), both in percent of the reference
mean. Images are matched by the ``image`` column (``stem`` in the tables
of tools/infer.py and artery_vein_biomarkers.py)::

    python tools/analysis_tools/morphology_agreement.py observer1.csv \
        observer2.csv model.csv --names "observer 2" model [--out table.md]
    python tools/analysis_tools/morphology_agreement.py manual.csv \
        work_dirs/infer/inference.csv --names model --features crae_px \
        crve_px avr
"""
import argparse
import math
from typing import List, Optional

from setr_fundus.evaluation.morphology_agreement import (agreement,
                                                         read_feature_csv)
from setr_fundus.evaluation.photograph_biomarkers import (BIOMARKER_COLUMNS,
                                                          DISC_COLUMNS)
from setr_fundus.evaluation.vessel_morphology import FEATURES, UM_FEATURES

# the columns that describe the measurement rather than the vessels
_SKIPPED = ('fov_diameter_px', 'fov_fitted', 'scale', 'um_per_px',
            *DISC_COLUMNS)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (list[str], optional): Arguments; None reads ``sys.argv``.

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    parser = argparse.ArgumentParser(
        description='ICC and mean absolute difference of feature CSVs '
        'against a reference CSV')
    parser.add_argument('reference', help='reference CSV (e.g. observer 1)')
    parser.add_argument('others', nargs='+', help='CSVs to compare with it')
    parser.add_argument(
        '--names', nargs='+', help='column titles of the others (file names)')
    parser.add_argument(
        '--features',
        nargs='+',
        help='features to compare (default: every vessel feature)')
    parser.add_argument('--out', help='also write the table to this file')
    args = parser.parse_args(argv)
    if args.names is not None and len(args.names) != len(args.others):
        parser.error(f'--names gives {len(args.names)} names for '
                     f'{len(args.others)} CSVs')
    return args


def _number(value: float, digits: int = 4) -> str:
    return '' if math.isnan(value) else f'{value:.{digits}g}'


def main(argv: Optional[List[str]] = None) -> str:
    """Print (and write) the agreement table.

    Args:
        argv (list[str], optional): Arguments; None reads ``sys.argv``.

    Returns:
        str: The Markdown table.
    """
    args = parse_args(argv)
    reference = read_feature_csv(args.reference)
    columns = next(iter(reference.values())).keys()
    features = args.features or [
        c for c in (*FEATURES, *UM_FEATURES, *BIOMARKER_COLUMNS)
        if c in columns and c not in _SKIPPED
    ]
    names = args.names or args.others
    results = [
        agreement(reference, read_feature_csv(path), features)
        for path in args.others
    ]
    header = ['feature', 'reference mean (sd), n']
    for name in names:
        header += [f'{name}: ICC(2,1)', f'{name}: MAD %', f'{name}: bias %']
    lines = [
        '| ' + ' | '.join(header) + ' |',
        '|' + '---|' * len(header),
    ]
    for index, feature in enumerate(features):
        first = results[0][index]
        cells = [
            feature, f'{_number(first["reference_mean"])} '
            f'({_number(first["reference_sd"], 3)}), {first["n"]}'
        ]
        for result in results:
            row = result[index]
            cells += [
                _number(row['icc_a1'], 3),
                _number(row['mad_percent'], 3),
                _number(row['bias_percent'], 3)
            ]
        lines.append('| ' + ' | '.join(cells) + ' |')
    table = '\n'.join(lines)
    print(table)
    if args.out:
        with open(args.out, 'w') as f:
            f.write(table + '\n')
    return table


if __name__ == '__main__':
    main()
