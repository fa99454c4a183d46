"""Benchmark a setr_fundus config against stock MMSegmentation.

Prints one table: training step time and peak memory (this config, encoder
unfrozen, stock mmseg), encoder forward time, FLOPs and parameters per
component, sliding-window inference (batched vs mmseg's loop) and data
loading (cache vs no cache). No weights file is needed.

    python tools/analysis_tools/benchmark.py CONFIG [--device cpu|cuda]
        [--repeat N] [--json FILE]
"""
import argparse
import json
import logging

import torch
from mmengine.config import DictAction
from mmengine.logging import print_log
from mmengine.registry import init_default_scope

from setr_fundus.benchmark import format_table, run_benchmark
from setr_fundus.utils import enable_amp, load_config


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Benchmark a config')
    parser.add_argument('config', help='config file path')
    parser.add_argument(
        '--device', default='cpu', help="'cpu' or 'cuda[:N]' (default cpu)")
    parser.add_argument(
        '--repeat',
        type=int,
        default=5,
        help='timed repeats per measurement; medians are reported')
    parser.add_argument(
        '--warmup', type=int, default=1, help='untimed repeats first')
    parser.add_argument(
        '--image-size',
        type=int,
        nargs=2,
        default=[584, 565],
        metavar=('H', 'W'),
        help='sliding-window image size (default DRIVE)')
    parser.add_argument(
        '--data-images',
        type=int,
        default=8,
        help='images written for the data-loading measurement')
    parser.add_argument(
        '--threads', type=int, help='torch CPU threads (default: torch\'s)')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='mixed-precision training steps (CUDA only; ignored with a '
        'warning on the CPU)')
    parser.add_argument('--json', help='also write the results to this file')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. train_dataloader.batch_size=8')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.amp:
        # enable_amp warns and does nothing without CUDA
        if args.device.startswith('cuda') or not torch.cuda.is_available():
            enable_amp(cfg)
        else:
            print_log(
                '--amp ignored: the benchmark runs on the CPU',
                logger='current',
                level=logging.WARNING)
    results = run_benchmark(
        cfg,
        device=args.device,
        repeat=args.repeat,
        warmup=args.warmup,
        image_size=tuple(args.image_size),
        data_images=args.data_images)
    print(format_table(results, args.config))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(dict(config=args.config, **results), f, indent=2)


if __name__ == '__main__':
    main()
