"""Train a setr_fundus segmentor (MMSegmentation 1.2.2's interface).

Exit codes: 0 finished; 75 stopped by SIGTERM/SIGINT/SIGUSR1 after writing a
resumable checkpoint (continue with ``--resume``); 1 an error (a NaN loss,
a work dir in use by another run, ...).
"""
import argparse
import os
import sys

from mmengine.config import DictAction

from setr_fundus.engine import run_training
from setr_fundus.utils import (enable_amp, load_config, set_data_root,
                               set_resume, set_work_dir)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a segmentor')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        const='auto',
        default=None,
        metavar='CKPT',
        help='resume from CKPT, or without a value from the latest '
        'checkpoint in the work dir')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='mixed-precision training (CUDA only; ignored with a warning '
        'on the CPU)')
    parser.add_argument(
        '--data-root',
        help='point the data sets of the three loaders at this folder '
        '(prints the keys it sets)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings as mmengine does, e.g. '
        'train_cfg.max_epochs=50')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    if args.data_root is not None:
        keys = set_data_root(cfg, args.data_root)
        print(f'--data-root {args.data_root}: set {", ".join(keys)}')
    cfg.launcher = args.launcher
    set_work_dir(cfg, args.work_dir, args.config)
    if args.amp:
        enable_amp(cfg)
    set_resume(cfg, args.resume)
    sys.exit(run_training(cfg))


if __name__ == '__main__':
    main()
