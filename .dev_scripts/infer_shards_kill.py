"""Check that ``tools/infer.py`` split into shards, each killed with SIGKILL
midway and run again, gives what one uninterrupted run gives.

    python .dev_scripts/infer_shards_kill.py CONFIG CHECKPOINT --work-dir DIR
        [--num 1000] [--shards 4] [--kills 4] [--workers 2]

Writes ``--num`` synthetic photographs (``generate_fundus``, heights and
widths drawn from 64-200 px, PNG and JPEG; every 50th, from the 8th, a
broken file) to ``DIR/photos``, then:

1. the reference: one uninterrupted run over the folder (``DIR/reference``);
2. ``--shard K/N`` for K = 1..N one after the other into ``DIR/sharded``;
   each of the first ``--kills`` shards has its process group killed with
   SIGKILL once half of its photographs have a row, then runs again to the
   end;
3. ``--merge DIR/sharded``.

It passes (exit status 0) when the merged CSV has exactly one row per
photograph and equals the reference's but for the ``seconds`` column, and
every output file is byte-identical to the reference's, with no temporary
file left. Tool runs have one OpenMP thread per process.
"""
import argparse
import csv
import filecmp
import os
import os.path as osp
import signal
import subprocess
import sys
import time
from typing import List

import cv2
import numpy as np

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO_ROOT)
from setr_fundus.datasets import generate_fundus  # noqa: E402

TOOL = osp.join(REPO_ROOT, 'tools', 'infer.py')


def write_photographs(folder: str, num: int, seed: int = 0) -> List[str]:
    """Write ``num`` synthetic photographs of mixed sizes; return the broken
    ones' names."""
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    broken = []
    for index in range(num):
        height, width = (int(v) for v in rng.integers(64, 201, size=2))
        suffix = '.jpg' if index % 3 == 2 else '.png'
        name = f'photo_{index:05d}{suffix}'
        if index % 50 == 7:
            with open(osp.join(folder, name), 'wb') as f:
                f.write(b'not a photograph')
            broken.append(name)
            continue
        img = generate_fundus(seed * 100003 + index, (height, width))[0]
        cv2.imwrite(osp.join(folder, name), img)
    return broken


def infer_command(args: argparse.Namespace, out_dir: str,
                  *extra: str) -> List[str]:
    """The ``tools/infer.py`` command line over the photographs."""
    return [
        sys.executable, TOOL, args.config, args.checkpoint,
        osp.join(args.work_dir, 'photos'), '--out', out_dir, '--workers',
        str(args.workers), *extra
    ]


def tool_env() -> dict:
    """Environment of the tool runs."""
    env = dict(os.environ, OMP_NUM_THREADS='1')
    env['PYTHONPATH'] = os.pathsep.join(
        p for p in (REPO_ROOT, env.get('PYTHONPATH')) if p)
    return env


def finish(command: List[str], summary: str) -> float:
    """Run ``command`` to the end (exit status 0, or 1 for the broken
    photographs, with ``summary`` in its output); return its seconds."""
    start = time.perf_counter()
    proc = subprocess.run(
        command,
        env=tool_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True)
    if proc.returncode not in (0, 1) or summary not in proc.stdout:
        sys.exit(f'{" ".join(command)} exited with {proc.returncode}:\n'
                 f'{proc.stdout[-4000:]}')
    return time.perf_counter() - start


def rows_written(path: str) -> int:
    """Complete rows in a shard CSV so far (0 before it exists)."""
    if not osp.exists(path):
        return 0
    with open(path, 'rb') as f:
        return max(f.read().count(b'\n') - 1, 0)


def kill_midway(command: List[str], csv_path: str, rows: int) -> int:
    """Start ``command`` in a process group of its own, SIGKILL the group
    once ``csv_path`` has ``rows`` rows; return the rows it had then."""
    proc = subprocess.Popen(
        command,
        env=tool_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True)
    while rows_written(csv_path) < rows:
        if proc.poll() is not None:
            sys.exit(f'{" ".join(command)} ended (status {proc.returncode}) '
                     f'before {rows} rows; nothing was killed')
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return rows_written(csv_path)


def table(path: str) -> List[dict]:
    """Rows of a CSV without the ``seconds`` column."""
    with open(path, newline='') as f:
        return [{k: v
                 for k, v in row.items() if k != 'seconds'}
                for row in csv.DictReader(f)]


def compare(reference: str, sharded: str, num: int) -> List[str]:
    """What differs between the two output folders."""
    problems = []
    ref_rows = table(osp.join(reference, 'inference.csv'))
    rows = table(osp.join(sharded, 'inference.csv'))
    paths = [row['path'] for row in rows]
    if len(paths) != num or len(set(paths)) != num:
        problems.append(f'{len(paths)} rows for {len(set(paths))} of {num} '
                        'photographs')
    if rows != ref_rows:
        problems.append('the merged CSV differs from the reference CSV')
    outputs = sorted(
        name for name in os.listdir(reference)
        if not name.startswith('inference'))
    found = sorted(
        name for name in os.listdir(sharded)
        if not name.startswith('inference'))
    if found != outputs:
        extra = sorted(set(found) ^ set(outputs))
        problems.append(f'different files: {extra[:5]}')
    _, mismatch, errors = filecmp.cmpfiles(
        reference, sharded, outputs, shallow=False)
    if mismatch or errors:
        problems.append(f'files differ: {(mismatch + errors)[:5]}')
    return problems


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--work-dir', required=True)
    parser.add_argument('--num', type=int, default=1000)
    parser.add_argument('--shards', type=int, default=4)
    parser.add_argument('--kills', type=int, default=4)
    parser.add_argument('--workers', type=int, default=2)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    broken = write_photographs(osp.join(args.work_dir, 'photos'), args.num)
    reference = osp.join(args.work_dir, 'reference')
    seconds = finish(infer_command(args, reference), 'images/s')
    print(f'{args.num} photographs ({len(broken)} broken): uninterrupted '
          f'run {seconds:.1f} s',
          flush=True)
    sharded = osp.join(args.work_dir, 'sharded')
    for k in range(1, args.shards + 1):
        command = infer_command(args, sharded, '--shard',
                                f'{k}/{args.shards}')
        if k <= args.kills:
            share = len(range(k - 1, args.num, args.shards))
            csv_path = osp.join(
                sharded, f'inference-shard-{k:05d}-of-{args.shards:05d}.csv')
            rows = kill_midway(command, csv_path, share // 2)
            print(
                f'shard {k}/{args.shards}: SIGKILL at {rows} of {share} rows',
                flush=True)
        seconds = finish(command, 'images/s')
        print(
            f'shard {k}/{args.shards}: ran to the end in {seconds:.1f} s',
            flush=True)
    finish([sys.executable, TOOL, '--merge', sharded], 'photographs (')
    problems = compare(reference, sharded, args.num)
    for problem in problems:
        print(f'FAIL: {problem}')
    if not problems:
        print(f'OK: one row per photograph ({args.num}) in the merged CSV, '
              'equal to the reference; every output file identical')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
