"""Resident memory of ``tools/infer.py`` over a folder of many photographs.

Writes a folder of synthetic fundus photographs of several cameras' sizes
(up to 3504x2336) with a share of broken files (truncated images and
non-image files with image names), runs ``tools/infer.py`` on it as a user
would, samples the tool's resident memory (``VmRSS``) every 20 ms, and
reports what ``docs/inference.md`` states: the files named as failed, the
number written, the resident memory after the first images and its growth
over the rest, and the peak.

    python .dev_scripts/infer_folder_memory.py CONFIG CHECKPOINT \
        --work-dir work_dirs/infer_memory [--num 200] [--bad 0.05]

Linux only (reads ``/proc``). The folder is written once into
``WORK_DIR/photos`` and reused; outputs go to ``WORK_DIR/out`` (cleared
first).
"""
import argparse
import os
import os.path as osp
import shutil
import subprocess
import sys
import time
from typing import Dict, List, Tuple

import cv2
import numpy as np

from setr_fundus.datasets import generate_fundus

# (H, W) of DRIVE, STARE, CHASE_DB1, a 2048x1536 camera and HRF
SIZES = ((584, 565), (605, 700), (960, 999), (1536, 2048), (2336, 3504))
REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def write_photos(folder: str, num: int, bad: float) -> Tuple[List[str], int]:
    """Write ``num`` photographs of the sizes of :data:`SIZES` in turn,
    every ``1 / bad``-th one broken (alternately truncated and not an
    image).

    Returns:
        tuple: The broken files' names and the number of 3504x2336 ones.
    """
    os.makedirs(folder, exist_ok=True)
    step = max(int(round(1 / bad)), 1) if bad > 0 else num + 1
    broken, largest = [], 0
    for index in range(num):
        # sizes rotate, shifted by one every cycle, so broken files come
        # in every size
        size = SIZES[(index + index // len(SIZES)) % len(SIZES)]
        name = f'photo_{index:03d}_{size[1]}x{size[0]}.jpg'
        path = osp.join(folder, name)
        if (index + 1) % step == 0:
            broken.append(name)
            if len(broken) % 2:
                _write_jpeg(path, size, index)
                with open(path, 'r+b') as f:
                    f.truncate(os.path.getsize(path) // 3)
            else:
                with open(path, 'w') as f:
                    f.write('not an image\n')
            continue
        largest += size == SIZES[-1]
        if not osp.exists(path):
            _write_jpeg(path, size, index)
    return broken, largest


def _write_jpeg(path: str, size: Tuple[int, int], seed: int) -> None:
    """A synthetic photograph drawn at DRIVE's size, enlarged to ``size``
    (as a camera with more pixels would take it)."""
    img, _, _ = generate_fundus(seed, (584, 565))
    big = cv2.resize(img, size[::-1], interpolation=cv2.INTER_CUBIC)
    if not cv2.imwrite(path, big, [cv2.IMWRITE_JPEG_QUALITY, 92]):
        raise OSError(f'could not write {path}')


def rss_mib(pid: int) -> float:
    """Resident memory of ``pid`` in MiB (0 once it has ended)."""
    try:
        with open(f'/proc/{pid}/status') as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def run_infer(config: str, checkpoint: str, photos: str, out: str,
              extra: List[str]) -> Dict:
    """Run ``tools/infer.py`` and sample its memory against the number of
    masks written so far."""
    command = [
        sys.executable, osp.join(REPO_ROOT, 'tools', 'infer.py'), config,
        checkpoint, photos, '--out', out, *extra
    ]
    log = open(out + '.log', 'w')
    start = time.monotonic()
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    samples = []  # (seconds, masks written, RSS MiB)
    while proc.poll() is None:
        written = len([n for n in os.listdir(out) if n.endswith('_mask.png')
                       ]) if osp.isdir(out) else 0
        samples.append((time.monotonic() - start, written, rss_mib(proc.pid)))
        time.sleep(0.02)
    log.close()
    return dict(code=proc.returncode, seconds=time.monotonic() - start,
                samples=np.array(samples), log=out + '.log')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--work-dir', default='work_dirs/infer_memory')
    parser.add_argument('--num', type=int, default=200)
    parser.add_argument('--bad', type=float, default=0.05,
                        help='share of broken files')
    parser.add_argument('--warmup', type=int, default=20,
                        help='images after which growth is measured')
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args()

    photos = osp.join(args.work_dir, 'photos')
    broken, largest = write_photos(photos, args.num, args.bad)
    out = osp.join(args.work_dir, 'out')
    shutil.rmtree(out, ignore_errors=True)
    run = run_infer(args.config, args.checkpoint, photos, out,
                    ['--device', args.device])
    with open(run['log']) as f:
        log = f.read()
    failed = [n for n in broken if f'failed: {osp.join(photos, n)}' in log]
    samples = run['samples']
    written = int(samples[:, 1].max()) if len(samples) else 0
    warm = samples[samples[:, 1] < args.warmup]
    rest = samples[samples[:, 1] >= args.warmup]
    # per image: the lowest RSS while it was processed (the floor between
    # images)
    ends = [samples[samples[:, 1] == n, 2] for n in range(written + 1)]
    floor = np.array([e.min() for e in ends if len(e)])
    print(f'{args.num} photographs ({len(broken)} broken, {largest} of '
          f'3504x2336) in {run["seconds"]:.0f} s, exit code {run["code"]}')
    print(f'written {written}, failed and named {len(failed)} of '
          f'{len(broken)}: {", ".join(failed)}')
    print(f'peak RSS: first {args.warmup} images {warm[:, 2].max():.0f} MiB,'
          f' images {args.warmup + 1}-{written} {rest[:, 2].max():.0f} MiB '
          f'(growth {rest[:, 2].max() - warm[:, 2].max():+.0f} MiB)')
    half = len(floor) // 2
    early, late = np.median(floor[args.warmup:half]), np.median(floor[half:])
    print(f'RSS between images: median {early:.0f} MiB in images '
          f'{args.warmup + 1}-{half}, {late:.0f} MiB in images '
          f'{half + 1}-{written}')
    # one photograph alone: the peak of a 3504x2336 one against DRIVE's
    peaks = {}
    for size in (SIZES[0], SIZES[-1]):
        single = osp.join(args.work_dir, f'single_{size[1]}x{size[0]}')
        os.makedirs(single, exist_ok=True)
        name = next(n for n in sorted(os.listdir(photos))
                    if n.endswith(f'_{size[1]}x{size[0]}.jpg')
                    and n not in broken)
        shutil.copy(osp.join(photos, name), single)
        single_out = single + '_out'
        shutil.rmtree(single_out, ignore_errors=True)
        alone = run_infer(args.config, args.checkpoint, single, single_out,
                          ['--device', args.device])
        peaks[size] = alone['samples'][:, 2].max()
    print(f'peak RSS of one photograph: {SIZES[-1][1]}x{SIZES[-1][0]} '
          f'{peaks[SIZES[-1]]:.0f} MiB, {SIZES[0][1]}x{SIZES[0][0]} '
          f'{peaks[SIZES[0]]:.0f} MiB (difference '
          f'{peaks[SIZES[-1]] - peaks[SIZES[0]]:+.0f} MiB)')
    print(f'tool log: {run["log"]}')


if __name__ == '__main__':
    main()
