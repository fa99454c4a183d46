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


def test_unreadable_files_are_skipped_and_named(checkpoint, folder, tmp_path):
    out = tmp_path / 'out'
    proc = subprocess.run(
        [sys.executable, TOOL, TINY, checkpoint, folder, '--out',
         str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120)
    assert proc.returncode != 0
    failed = proc.stdout.split('2 failed')[-1]
    assert 'broken.tif' in failed and 'deep.png' in failed
    assert '8 bits' in failed
    assert '3 ok' in proc.stdout
    assert sorted(os.listdir(out)) == sorted(f'{stem}_{kind}.png'
                                             for stem in SIZES
                                             for kind in ('mask', 'prob',
                                                          'overlay'))
    for stem, size in SIZES.items():
        mask = np.asarray(Image.open(out / f'{stem}_mask.png'))
        prob = np.asarray(Image.open(out / f'{stem}_prob.png'))
        overlay = np.asarray(Image.open(out / f'{stem}_overlay.png'))
        assert mask.shape == prob.shape == size
        assert set(np.unique(mask)) <= {0, 255}
        assert prob.dtype == mask.dtype == np.uint8
        assert overlay.shape == (*size, 3)
        np.testing.assert_array_equal(mask == 255, prob > 127)


def test_existing_outputs_need_overwrite(checkpoint, folder, tmp_path,
                                         monkeypatch, capsys):
    out = tmp_path / 'out'
    image = osp.join(folder, 'a.png')
    assert _run(monkeypatch, TINY, checkpoint, image, '--out', str(out),
                '--npy') == 0
    prob = np.load(out / 'a_prob.npy')
    assert prob.shape == SIZES['a'] and prob.dtype == np.float32
    marker = np.zeros(SIZES['a'], np.uint8)
    Image.fromarray(marker).save(out / 'a_mask.png')
    assert _run(monkeypatch, TINY, checkpoint, image, '--out', str(out)) == 0
    assert 'skipped' in capsys.readouterr().out
    np.testing.assert_array_equal(
        np.asarray(Image.open(out / 'a_mask.png')), marker)
    assert _run(monkeypatch, TINY, checkpoint, image, '--out', str(out),
                '--overwrite') == 0
    mask = np.asarray(Image.open(out / 'a_mask.png'))
    np.testing.assert_array_equal(mask == 255, prob > 0.5)
