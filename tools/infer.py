"""Segment the vessels of fundus photographs with a trained model.

    python tools/infer.py CONFIG CHECKPOINT INPUT [--out DIR] [--device cpu]
        [--shard K/N] [--workers 2] [--overwrite] [--tta] [--npy]
        [--field-angle DEG | --um-per-px UM]
    python tools/infer.py --merge DIR

INPUT is an image file, a folder (bmp, gif, jpeg, jpg, pbm, pgm, png, ppm,
tif, tiff, also .gz: setr_fundus.fileio.IMAGE_SUFFIXES) or a .csv list
with a "path" column (relative paths from the list's folder). Photographs
are decoded by the config's own loading step in --workers processes. Per
photograph, DIR receives <stem>_mask.png (vessels 0/255, original size),
<stem>_prob.png (vessel probability x 255) and <stem>_overlay.png (vessels
in green on the photograph); --npy adds <stem>_prob.npy (float32). Models
of more than two classes write <stem>_classes.png and <stem>_prob_<class>.png
per class instead of <stem>_prob.png. Each file is written atomically.

An artery/vein model (classes naming "artery" and "vein") also measures
each photograph at its own size: the optic disc, CRAE, CRVE and AVR in
zone B, and per class density, fractal dimension, tortuosity and calibre,
as columns of the CSV; "reason" says why any value is empty (disc not
found, too few vessels in zone B, ...); the overlay shows the disc and
zone B. Calibres are in pixels and normalised pixels, and in micrometres
with --field-angle (or --um-per-px). See docs/artery_vein.md.

--shard K/N segments every N-th photograph of the sorted list from the
K-th on (else SLURM_ARRAY_TASK_ID/COUNT of a job array; torchrun ranks split
each shard further). Each shard appends one row per photograph to
DIR/inference-shard-K-of-N.csv once its files are written; a rerun skips
photographs with a row unless --overwrite. --merge DIR joins the shard CSVs
into DIR/inference.csv (a single shard does it itself). See
docs/inference.md.

Exit status: 0 all photographs segmented; 1 some could not be read (named
in the CSV and the summary; for --merge: failed rows or missing shards);
2 the run stopped because an output could not be written (disk full).
"""
import argparse
import os
import sys

from mmengine.config import DictAction

from setr_fundus.apis import (InferenceStopped, VesselSegmenter, list_images,
                              merge_shard_csvs, rank_device, resolve_shard,
                              segment_files)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Segment retinal vessels in fundus photographs')
    parser.add_argument('config', nargs='?', help='config file path')
    parser.add_argument('checkpoint', nargs='?', help='checkpoint file')
    parser.add_argument(
        'input', nargs='?', help='image file, folder or .csv list of paths')
    parser.add_argument(
        '--out',
        default='work_dirs/infer',
        help='output folder (default work_dirs/infer)')
    parser.add_argument(
        '--device',
        default='cpu',
        help="torch device, e.g. 'cuda:0' ('cuda' under torchrun: "
        'cuda:LOCAL_RANK)')
    parser.add_argument(
        '--shard',
        help='K/N: segment shard K of N (default: the Slurm array task, '
        'else all)')
    parser.add_argument(
        '--workers',
        type=int,
        default=2,
        help='data loader processes decoding photographs (default 2)')
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='redo photographs that have a row (default: skip them)')
    parser.add_argument(
        '--tta', action='store_true', help='flip test-time augmentation')
    parser.add_argument(
        '--npy',
        action='store_true',
        help='also save the float32 probabilities as <stem>_prob.npy')
    units = parser.add_mutually_exclusive_group()
    units.add_argument(
        '--field-angle',
        type=float,
        help="artery/vein models: the camera's field angle in degrees "
        '(across the FOV), for calibres in micrometres')
    units.add_argument(
        '--um-per-px',
        type=float,
        help='artery/vein models: micrometres per pixel of the '
        'photographs, instead of --field-angle')
    parser.add_argument(
        '--merge',
        metavar='DIR',
        help='only join the shard CSVs of DIR into DIR/inference.csv')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. model.test_cfg.'
        'slide_batch_size=16')
    args = parser.parse_args()
    if args.merge is None and args.input is None:
        parser.error('give CONFIG CHECKPOINT INPUT, or --merge DIR')
    if args.merge is None:
        try:
            args.shard = resolve_shard(args.shard, os.environ)
        except ValueError as err:
            parser.error(str(err))
    return args


def main() -> int:
    args = parse_args()
    if args.merge is not None:
        merged, counts = merge_shard_csvs(args.merge)
        print(f'{counts["rows"]} photographs ({counts["ok"]} ok, '
              f'{counts["failed"]} failed) in {merged}; shards without a '
              f'CSV: {", ".join(counts["missing_shards"]) or "none"}')
        return 1 if counts['failed'] or counts['missing_shards'] else 0
    paths = list_images(args.input)
    segmenter = VesselSegmenter(
        args.config,
        args.checkpoint,
        device=rank_device(args.device, os.environ),
        tta=args.tta,
        cfg_options=args.cfg_options)
    try:
        summary = segment_files(
            segmenter,
            paths,
            args.out,
            shard=args.shard,
            overwrite=args.overwrite,
            save_npy=args.npy,
            num_workers=args.workers,
            um_per_px=args.um_per_px,
            field_angle=args.field_angle)
    except InferenceStopped as err:
        print(f'\n{err}', file=sys.stderr)
        return 2
    print(f'\n{summary}')
    return 1 if summary.failed else 0


if __name__ == '__main__':
    sys.exit(main())
