"""Write one part of a fundus set rescaled, as a camera with more (or fewer)
pixels would have taken it.

Example (DRIVE's test part as a 1.77x and a 4x camera)::

    python tools/misc/rescale_fundus_set.py data/DRIVE data/DRIVE_x1.77 \
        --scale 1.77
    python tools/misc/rescale_fundus_set.py data/DRIVE data/DRIVE_x4 \
        --scale 4

Images are resampled bicubically, labels and FOV masks by nearest neighbour
with pixel centres aligned as the bicubic image's are (OpenCV's
``INTER_NEAREST_EXACT``; plain ``INTER_NEAREST`` shifts them by up to half a
source pixel at non-integer factors). FOV masks are derived first where the
set has none. The output is a
``folder`` layout under ``OUT/<split>/{images,labels,masks}/`` (PNG), so
``tools/test.py CONFIG CKPT --cfg-options test_dataloader.dataset.
data_root=OUT`` scores a model on it. Existing files are not overwritten.
"""
import argparse
import os
import os.path as osp
from typing import List, Optional

import cv2
import numpy as np

from setr_fundus.datasets import FundusVesselDataset, PhotoLoader
from setr_fundus.datasets.fundus_io import read_annotations


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (list[str], optional): Arguments; None reads ``sys.argv``.

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    parser = argparse.ArgumentParser(
        description='Write a fundus set rescaled by a factor')
    parser.add_argument('data_root', help='the set (any supported layout)')
    parser.add_argument('out', help='output folder (folder layout)')
    parser.add_argument(
        '--scale', type=float, required=True, help='factor, e.g. 1.77 or 4')
    parser.add_argument(
        '--split', default='test', choices=['train', 'val', 'test'],
        help='the part to write (default: test)')
    parser.add_argument(
        '--annotator', type=int, default=1, help='observer of the labels')
    args = parser.parse_args(argv)
    if not args.scale > 0:
        parser.error(f'--scale must be > 0, got {args.scale}')
    return args


def main(argv: Optional[List[str]] = None) -> None:
    """Write the rescaled part.

    Args:
        argv (list[str], optional): Arguments; None reads ``sys.argv``.
    """
    args = parse_args(argv)
    dataset = FundusVesselDataset(
        data_root=args.data_root,
        split=args.split,
        annotator=args.annotator)
    dirs = {
        kind: osp.join(args.out, args.split, kind)
        for kind in ('images', 'labels', 'masks')
    }
    for path in dirs.values():
        os.makedirs(path, exist_ok=True)
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    outputs = [{
        kind: osp.join(d, osp.basename(info['img_path']).split('.')[0] +
                       '.png')
        for kind, d in dirs.items()
    } for info in infos]
    existing = [p for out in outputs for p in out.values() if osp.exists(p)]
    if existing:
        raise FileExistsError(f'{existing[0]} exists; choose a new output '
                              'folder (nothing is overwritten)')
    load_photo = PhotoLoader.default()
    for info, out in zip(infos, outputs):
        img = load_photo(info['img_path'])
        label, fov = read_annotations(img, info['img_path'],
                                      info['seg_map_path'], info['fov_path'],
                                      info['label_rule'])
        h, w = img.shape[:2]
        size = (max(int(round(w * args.scale)), 1),
                max(int(round(h * args.scale)), 1))
        arrays = dict(
            images=cv2.resize(img, size, interpolation=cv2.INTER_CUBIC),
            labels=cv2.resize(
                label, size, interpolation=cv2.INTER_NEAREST_EXACT) *
            np.uint8(255),
            masks=cv2.resize(
                fov, size, interpolation=cv2.INTER_NEAREST_EXACT) *
            np.uint8(255))
        for kind, array in arrays.items():
            if not cv2.imwrite(out[kind], array):
                raise OSError(f'cannot write {out[kind]}')
    written = len(infos)
    print(f'wrote {written} samples of {args.data_root} ({args.split}) '
          f'rescaled x{args.scale:g} to {args.out}')


if __name__ == '__main__':
    main()
