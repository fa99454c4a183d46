import csv
import errno
import gzip
import os
import os.path as osp
import runpy
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from PIL import Image

import setr_fundus  # noqa: F401
from setr_fundus.datasets import generate_fundus
from tests.model_utils import random_model

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
TINY = osp.join(osp.dirname(__file__), 'data', 'tiny_config.py')
TOOL = osp.join(ROOT, 'tools', 'infer.py')
SIZES = {'a': (70, 61), 'b': (45, 52), 'c': (50, 47)}


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory) -> str:
    """A freshly initialised tiny model saved as mmengine saves one."""
    model = random_model(Config.fromfile(TINY))
    path = str(tmp_path_factory.mktemp('ckpt') / 'tiny.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict(epoch=1)), path)
    return path


@pytest.fixture
def folder(tmp_path) -> str:
    """a.png, b.ppm.gz, c.bmp (readable), broken.tif (corrupt) and
    deep.png (16-bit, which the config's decoder would clip)."""
    root = tmp_path / 'images'
    root.mkdir()
    img = generate_fundus(1, SIZES['a'])[0]
    Image.fromarray(img[..., ::-1]).save(root / 'a.png')
    img = generate_fundus(2, SIZES['b'])[0]
    ppm = tmp_path / 'b.ppm'
    Image.fromarray(img[..., ::-1]).save(ppm)
    with gzip.open(root / 'b.ppm.gz', 'wb') as f:
        f.write(ppm.read_bytes())
    img = generate_fundus(3, SIZES['c'])[0]
    Image.fromarray(img[..., ::-1]).save(root / 'c.bmp')
    (root / 'broken.tif').write_bytes(b'II*\x00 truncated')
    Image.fromarray(np.full((40, 40), 3000, np.uint16)).save(root / 'deep.png')
    return str(root)


def _run(monkeypatch, *args) -> int:
    monkeypatch.setattr(sys, 'argv', [TOOL, *args])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_path(TOOL, run_name='__main__')
    return exit_info.value.code


def _rows_of(path) -> list:
    with open(path, newline='') as f:
        return list(csv.DictReader(f))


def _rows(out) -> list:
    return _rows_of(out / 'inference.csv')


def test_unreadable_files_are_skipped_and_named(checkpoint, folder, tmp_path):
    out = tmp_path / 'out'
    proc = subprocess.run(
        [sys.executable, TOOL, TINY, checkpoint, folder, '--out',
         str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120)
    assert proc.returncode == 1, proc.stderr[-3000:]
    failed = proc.stdout.split('2 failed')[-1]
    assert 'broken.tif' in failed and 'deep.png' in failed
    assert '8 bits' in failed
    assert '3 ok' in proc.stdout and 'images/s' in proc.stdout
    tables = ['inference.csv', 'inference-shard-00001-of-00001.csv']
    assert sorted(os.listdir(out)) == sorted(
        [f'{stem}_{kind}.png' for stem in SIZES
         for kind in ('mask', 'prob', 'overlay')] + tables)
    rows = {row['stem']: row for row in _rows(out)}
    assert sorted(rows) == ['a', 'b', 'broken', 'c', 'deep']
    assert rows['deep']['status'] == 'failed'
    assert '8 bits' in rows['deep']['reason']
    assert rows['broken']['status'] == 'failed' and rows['broken']['reason']
    for stem, size in SIZES.items():
        mask = np.asarray(Image.open(out / f'{stem}_mask.png'))
        prob = np.asarray(Image.open(out / f'{stem}_prob.png'))
        overlay = np.asarray(Image.open(out / f'{stem}_overlay.png'))
        assert mask.shape == prob.shape == size
        assert set(np.unique(mask)) <= {0, 255}
        assert prob.dtype == mask.dtype == np.uint8
        assert overlay.shape == (*size, 3)
        np.testing.assert_array_equal(mask == 255, prob > 127)
        row = rows[stem]
        assert row['status'] == 'ok' and row['reason'] == ''
        assert (int(row['height']), int(row['width'])) == size
        # the FOV is rescaled to the config's 64 px
        assert float(row['fov_diameter']) * float(row['scale_x']) == \
            pytest.approx(64, rel=0.05)
        assert 0 <= float(row['vessel_fraction']) <= 1
        assert float(row['seconds']) > 0


def test_rerun_skips_photographs_with_a_row(checkpoint, folder, tmp_path,
                                            monkeypatch, capsys):
    out = tmp_path / 'out'
    image = osp.join(folder, 'a.png')
    assert _run(monkeypatch, TINY, checkpoint, image, '--out', str(out),
                '--npy', '--workers', '0') == 0
    prob = np.load(out / 'a_prob.npy')
    assert prob.shape == SIZES['a'] and prob.dtype == np.float32
    marker = np.zeros(SIZES['a'], np.uint8)
    Image.fromarray(marker).save(out / 'a_mask.png')
    assert _run(monkeypatch, TINY, checkpoint, image, '--out', str(out)) == 0
    assert '1 skipped' in capsys.readouterr().out
    np.testing.assert_array_equal(
        np.asarray(Image.open(out / 'a_mask.png')), marker)
    assert _run(monkeypatch, TINY, checkpoint, image, '--out', str(out),
                '--overwrite') == 0
    mask = np.asarray(Image.open(out / 'a_mask.png'))
    np.testing.assert_array_equal(mask == 255, prob > 0.5)
    assert len(_rows(out)) == 1


def test_csv_list_shards_and_merge(checkpoint, folder, tmp_path,
                                   monkeypatch, capsys):
    listing = tmp_path / 'list.csv'
    rel = osp.relpath(folder, tmp_path)
    listing.write_text('path,eye\n' + ''.join(
        f'{rel}/{name},left\n' for name in ('c.bmp', 'a.png', 'deep.png')))
    out = tmp_path / 'out'
    for k in (1, 2):
        code = _run(monkeypatch, TINY, checkpoint, str(listing), '--out',
                    str(out), '--shard', f'{k}/2')
        assert code == (1 if k == 1 else 0)  # 1/2: a.png and deep.png
    assert not (out / 'inference.csv').exists()
    assert _run(monkeypatch, '--merge', str(out)) == 1
    assert '3 photographs (2 ok, 1 failed)' in capsys.readouterr().out
    rows = _rows(out)
    assert [row['path'] for row in rows] == [
        osp.join(folder, name) for name in ('a.png', 'c.bmp', 'deep.png')
    ]
    assert sorted(os.listdir(out))[:4] == [
        'a_mask.png', 'a_overlay.png', 'a_prob.png', 'c_mask.png'
    ]


def test_slurm_array_variables_pick_the_shard(checkpoint, folder, tmp_path,
                                              monkeypatch, capsys):
    monkeypatch.setenv('SLURM_ARRAY_TASK_ID', '2')
    monkeypatch.setenv('SLURM_ARRAY_TASK_MIN', '1')
    monkeypatch.setenv('SLURM_ARRAY_TASK_COUNT', '3')
    out = tmp_path / 'out'
    assert _run(monkeypatch, TINY, checkpoint, folder, '--out', str(out),
                '--workers', '0') == 1  # b.ppm.gz, deep.png of the 5
    assert sorted(os.listdir(out)) == [
        'b_mask.png', 'b_overlay.png', 'b_prob.png',
        'inference-shard-00002-of-00003.csv'
    ]
    monkeypatch.setenv('SLURM_ARRAY_TASK_ID', '5')
    assert _run(monkeypatch, TINY, checkpoint, folder, '--out',
                str(out)) == 2
    assert 'Slurm array task 5' in capsys.readouterr().err


def test_full_disk_stops_with_status_2(checkpoint, folder, tmp_path,
                                       monkeypatch, capsys):
    out = tmp_path / 'out'
    calls = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 3:  # header, a_mask.png, then a_prob.png
            raise OSError(errno.ENOSPC, 'No space left on device')
        real_fsync(fd)

    monkeypatch.setattr(os, 'fsync', fsync)
    assert _run(monkeypatch, TINY, checkpoint, folder, '--out', str(out),
                '--workers', '0') == 2
    err = capsys.readouterr().err
    assert 'the disk is full' in err and 'a_prob.png' in err
    assert 'run the same command again' in err
    assert sorted(os.listdir(out)) == [
        'a_mask.png', 'inference-shard-00001-of-00001.csv'
    ]
    assert _rows_of(out / 'inference-shard-00001-of-00001.csv') == []
    monkeypatch.setattr(os, 'fsync', real_fsync)
    assert _run(monkeypatch, TINY, checkpoint, folder, '--out', str(out),
                '--workers', '0') == 1
    assert [row['stem'] for row in _rows(out)] == [
        'a', 'b', 'broken', 'c', 'deep'
    ]
