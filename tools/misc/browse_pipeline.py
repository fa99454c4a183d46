"""Picture a few training samples after the config's train pipeline.

Each row shows one sample of ``train_dataloader.dataset`` after its
pipeline: the augmented image, its vessel label and its FOV mask (white =
1, black = 0, dark red = 255, i.e. padding added by rotation). Example::

    python tools/misc/browse_pipeline.py configs/quickstart_synthetic.py \
        --out docs/pipeline.png --num 4
"""
import argparse
import os
import os.path as osp
from typing import List, Optional

import cv2
import numpy as np
from mmengine.config import DictAction
from mmengine.registry import init_default_scope
from mmengine.runner import set_random_seed
from mmseg.registry import DATASETS

from setr_fundus.utils import load_config

_GAP = 4  # px between tiles, in grey
_PAD_COLOUR = (0, 0, 160)  # BGR of mask values other than 0 and 1


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (list[str], optional): Arguments; None reads ``sys.argv``.

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    parser = argparse.ArgumentParser(
        description='Write a PNG of training samples after the pipeline')
    parser.add_argument('config', help='config file')
    parser.add_argument(
        '--out', default='pipeline_samples.png', help='output PNG')
    parser.add_argument(
        '--num', type=int, default=4, help='number of samples (rows)')
    parser.add_argument(
        '--seed', type=int, default=0, help='seed of the random augmentations')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, as in train.py')
    return parser.parse_args(argv)


def mask_to_bgr(mask: np.ndarray) -> np.ndarray:
    """Show a {0, 1, 255} map: black, white and dark red.

    Args:
        mask (np.ndarray): HxW label or FOV mask.

    Returns:
        np.ndarray: uint8 HxWx3 BGR picture.
    """
    picture = np.zeros(mask.shape + (3, ), np.uint8)
    picture[mask == 1] = 255
    picture[(mask != 0) & (mask != 1)] = _PAD_COLOUR
    return picture


def render_sample(sample: dict) -> np.ndarray:
    """One row: image | label | FOV mask, from a packed pipeline output.

    Args:
        sample (dict): ``inputs`` (CxHxW BGR tensor) and ``data_samples``
            (with ``gt_sem_seg`` and, if packed, ``gt_fov_mask``).

    Returns:
        np.ndarray: uint8 BGR row picture.
    """
    img = sample['inputs'].numpy().transpose(1, 2, 0)
    tiles = [np.clip(img, 0, 255).astype(np.uint8)]
    data_sample = sample['data_samples']
    for field in ('gt_sem_seg', 'gt_fov_mask'):
        if field in data_sample:
            tiles.append(mask_to_bgr(data_sample.get(field).data[0].numpy()))
    return _concat(tiles, axis=1)


def _concat(tiles: List[np.ndarray], axis: int) -> np.ndarray:
    """Concatenate pictures along ``axis`` with gaps, padding the other."""
    other = 1 - axis
    extent = max(tile.shape[other] for tile in tiles)
    padded = []
    for tile in tiles:
        pad = [(0, 0), (0, 0), (0, 0)]
        pad[other] = (0, extent - tile.shape[other])
        pad[axis] = (0, _GAP)
        padded.append(np.pad(tile, pad, constant_values=128))
    return np.concatenate(padded, axis=axis)


def main(argv: Optional[List[str]] = None) -> None:
    """Build the training set of a config and write the picture.

    Args:
        argv (list[str], optional): Arguments; None reads ``sys.argv``.
    """
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    set_random_seed(args.seed)
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    rows = [render_sample(dataset[i % len(dataset)]) for i in range(args.num)]
    picture = _concat(rows, axis=0)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    if not cv2.imwrite(args.out, picture):
        raise OSError(f'could not write {args.out}')
    print(f'wrote {args.num} samples of {args.config} to {args.out}')


if __name__ == '__main__':
    main()
