"""Segment the vessels of fundus photographs with a trained model.

    python tools/infer.py CONFIG CHECKPOINT INPUT [--out DIR] [--device cpu]
        [--overwrite] [--tta] [--npy]

INPUT is an image file or a folder (bmp, gif, jpeg, jpg, pbm, pgm, png,
ppm, tif, tiff, also .gz: setr_fundus.fileio.IMAGE_SUFFIXES), decoded by
the config's own loading step. Per image, DIR receives <stem>_mask.png
(vessels 0/255, original size), <stem>_prob.png (vessel probability x 255)
and <stem>_overlay.png (vessels in green on the photograph); --npy adds
<stem>_prob.npy (float32). Models of more than two classes write
<stem>_classes.png (palette PNG of the class indices) and
<stem>_prob_<class>.png per class instead of <stem>_prob.png (see
docs/inference.md). Images whose outputs exist are skipped unless
--overwrite. Unreadable files are reported and skipped; the exit status is
1 if there were any.
"""
import argparse
import sys

from mmengine.config import DictAction

from setr_fundus.apis import VesselSegmenter, list_images, segment_files


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Segment retinal vessels in fundus photographs')
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('input', help='image file or folder of images')
    parser.add_argument(
        '--out',
        default='work_dirs/infer',
        help='output folder (default work_dirs/infer)')
    parser.add_argument(
        '--device', default='cpu', help="torch device, e.g. 'cuda:0'")
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='replace existing outputs (default: skip those images)')
    parser.add_argument(
        '--tta', action='store_true', help='flip test-time augmentation')
    parser.add_argument(
        '--npy',
        action='store_true',
        help='also save the float32 probabilities as <stem>_prob.npy')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. model.test_cfg.'
        'slide_batch_size=16')
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    paths = list_images(args.input)
    segmenter = VesselSegmenter(
        args.config,
        args.checkpoint,
        device=args.device,
        tta=args.tta,
        cfg_options=args.cfg_options)
    summary = segment_files(
        segmenter,
        paths,
        args.out,
        overwrite=args.overwrite,
        save_npy=args.npy)
    print(f'\n{summary}')
    return 1 if summary.failed else 0


if __name__ == '__main__':
    sys.exit(main())
