"""Helpers of the end-to-end tool tests.

The tools run as subprocesses (``sys.executable``, or ``bash`` for the
``dist_*.sh`` scripts) from the repository root with the root on
``PYTHONPATH`` and one OpenMP thread per process (as torchrun does; several
threads per process on a loaded 2-core machine make each iteration ~50x
slower). Data: a tiny synthetic set written in the DRIVE archive layout.
"""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Sequence

from mmengine.config import Config

REPO_ROOT = Path(__file__).resolve().parents[2]
TOOLS_DIR = Path(__file__).resolve().parent
TINY_CONFIG = TOOLS_DIR / 'tiny_fundus_config.py'
TINY_FROZEN_CONFIG = TOOLS_DIR / 'tiny_frozen_config.py'
NUM_TRAIN, NUM_TEST, IMAGE_SIZE = 4, 2, (64, 72)
# 4 training images at batch 2 for 3 epochs
TINY_ITERS_PER_EPOCH, TINY_EPOCHS = 2, 3


def tool_env() -> Dict[str, str]:
    """Environment of the tool subprocesses."""
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        p for p in (str(REPO_ROOT), env.get('PYTHONPATH')) if p)
    env['OMP_NUM_THREADS'] = '1'
    return env


def data_options(root: Path) -> List[str]:
    """``--cfg-options`` values pointing the three loaders of the tiny
    configs at ``root`` (mmengine's own keys, so that any tool reads them:
    ours, mmseg's, ``mim``)."""
    return [
        f'train_dataloader.dataset.dataset.data_root={root}',
        f'val_dataloader.dataset.data_root={root}',
        f'test_dataloader.dataset.data_root={root}'
    ]


def train_command(config: Path, work_dir: Path, root: Path,
                  *extra: str) -> List[str]:
    """``tools/train.py CONFIG --work-dir WORK_DIR [extra]`` on the data at
    ``root``, for ``subprocess`` from the repository root."""
    return [
        sys.executable, 'tools/train.py',
        str(config), '--work-dir',
        str(work_dir), *extra, '--cfg-options', *data_options(root)
    ]


def run_command(command: Sequence[str],
                timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``command`` from the repository root in :func:`tool_env`; return
    the finished process with stdout and stderr together as text (any exit
    code: the caller checks it)."""
    return subprocess.run(
        command,
        cwd=REPO_ROOT,
        env=tool_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout)


def run_tool(args: Sequence[str],
             timeout: float = 120,
             tool: str = 'python') -> str:
    """Run ``tools/...`` from the repository root and return its output.

    Args:
        args (Sequence[str]): Script path (relative to the repository root)
            and its arguments.
        timeout (float): Seconds before the run is killed (a failure).
        tool (str): 'python' (``sys.executable``) or 'bash'.

    Returns:
        str: stdout and stderr together.
    """
    exe = sys.executable if tool == 'python' else 'bash'
    proc = run_command([exe, *map(str, args)], timeout)
    assert proc.returncode == 0, (
        f'{" ".join(map(str, args))} exited with {proc.returncode}:\n'
        f'{proc.stdout[-6000:]}')
    return proc.stdout


def derived_config(directory: Path, base: Path, hooks: Sequence[dict]) -> Path:
    """Write a config inheriting ``base``, adding test-only custom hooks to
    the inherited ones.

    Args:
        directory (Path): Where to write ``config.py``.
        base (Path): Config to inherit.
        hooks (Sequence[dict]): ``custom_hooks`` entries; their modules under
            ``tests/test_tools`` are imported through ``custom_imports``.

    Returns:
        Path: The written config.
    """
    modules = {
        'RankDumpHook': 'tests.test_tools.rank_dump_hook',
        'IterDelayHook': 'tests.test_tools.iter_delay_hook',
        'PauseHook': 'tests.test_tools.pause_hook',
        'BatchRecordHook': 'tests.test_tools.batch_record_hook',
        'NaNInjectHook': 'tests.test_tools.nan_inject_hook',
        'SignalWaitHook': 'tests.test_tools.signal_wait_hook'
    }
    imports = ['setr_fundus'] + sorted(
        {modules[hook['type']]
         for hook in hooks})
    inherited = [dict(hook) for hook in Config.fromfile(base).custom_hooks]
    path = directory / 'config.py'
    path.write_text(f'_base_ = [{str(base)!r}]\n'
                    f'custom_imports = dict(imports={imports!r}, '
                    'allow_failed_imports=False)\n'
                    f'custom_hooks = {inherited + list(hooks)!r}\n')
    return path


def kill_ranks(work_dir: Path) -> None:
    """SIGKILL the ranks that wrote ``paused_rank*.pid`` (``PauseHook``)
    and may still run: torchrun starts its ranks in sessions of their own,
    so killing the launcher's process group leaves them behind."""
    for marker in work_dir.glob('paused_rank*.pid'):
        try:
            os.kill(int(marker.read_text()), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass


def latest_scalars(work_dir: Path) -> List[dict]:
    """Records of the newest run's ``<timestamp>/vis_data/scalars.json`` in
    a work dir."""
    path = sorted(work_dir.glob('*/vis_data/scalars.json'))[-1]
    return [json.loads(line) for line in path.read_text().splitlines()]
