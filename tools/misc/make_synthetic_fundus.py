"""Write a synthetic fundus set as the DRIVE archives unpack.

Example::

    python tools/misc/make_synthetic_fundus.py data/SYNTH --num-train 20 \
        --num-test 20 --size 584 565 --seed 0

The folder then loads with ``FundusVesselDataset(data_root='data/SYNTH')``
(layout detected as 'drive') and holds the same images as
``SyntheticFundusDataset(num_train=..., num_test=..., size=..., seed=...)``.
"""
import argparse
from typing import List, Optional

from setr_fundus.datasets.synthetic import DRIVE_SIZE, write_drive_layout


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (list[str], optional): Arguments; None reads ``sys.argv``.

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    parser = argparse.ArgumentParser(
        description='Write a synthetic fundus set in the DRIVE layout')
    parser.add_argument('out', help='output folder')
    parser.add_argument('--num-train', type=int, default=20)
    parser.add_argument('--num-test', type=int, default=20)
    parser.add_argument(
        '--size',
        type=int,
        nargs=2,
        default=list(DRIVE_SIZE),
        metavar=('H', 'W'),
        help='image size, height then width')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> None:
    """Write the set and report where it went.

    Args:
        argv (list[str], optional): Arguments; None reads ``sys.argv``.
    """
    args = parse_args(argv)
    written = write_drive_layout(args.out, args.num_train, args.num_test,
                                 tuple(args.size), args.seed)
    print(f'wrote {len(written)} synthetic images ({args.num_train} '
          f'training, {args.num_test} test) to {args.out}')


if __name__ == '__main__':
    main()
