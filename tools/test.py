"""Test (and evaluate) a setr_fundus segmentor (MMSegmentation 1.2.2's
interface); prints Dice, IoU, Acc, Se, Sp and AUC."""
import argparse
import os
import os.path as osp

from mmengine.config import DictAction

from setr_fundus.utils import (build_runner, enable_mask_output, enable_tta,
                               enable_visualization, load_config,
                               set_data_root, set_work_dir)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='MMSeg test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir', help='the dir to save logs and metrics (json)')
    parser.add_argument(
        '--out',
        help='directory to save the predicted vessel masks (PNG, 0/255, '
        'original resolution)')
    parser.add_argument(
        '--show-dir', help='directory to save painted predictions')
    parser.add_argument(
        '--tta', action='store_true', help='flip test-time augmentation')
    parser.add_argument(
        '--data-root',
        help='test on the data set in this folder: points the test '
        'loader\'s data set at it (prints the key it sets)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. test_dataloader.dataset.'
        'data_root=data/CHASE_DB1')
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
        keys = set_data_root(cfg, args.data_root, ['test_dataloader'])
        print(f'--data-root {args.data_root}: set {", ".join(keys)}')
    cfg.launcher = args.launcher
    set_work_dir(cfg, args.work_dir, args.config)
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {args.checkpoint}')
    cfg.load_from = args.checkpoint
    if args.show_dir:
        enable_visualization(cfg, args.show_dir)
    if args.tta:
        enable_tta(cfg)
    if args.out is not None:
        enable_mask_output(cfg, args.out)
    build_runner(cfg).test()


if __name__ == '__main__':
    main()
