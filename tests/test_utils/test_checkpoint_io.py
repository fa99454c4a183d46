import argparse

import numpy as np
import pytest
import torch

from setr_fundus.utils import load_trusted_checkpoint


def test_loads_namespace_and_numpy_scalars(tmp_path):
    path = tmp_path / 'vfm.pth'
    torch.save(dict(teacher={'w': torch.ones(2)},
                    args=argparse.Namespace(arch='vit_base'),
                    epoch=np.int64(3), best=np.float32(0.5)), path)
    with pytest.raises(Exception):
        torch.load(path, weights_only=True)
    ckpt = load_trusted_checkpoint(str(path))
    assert ckpt['args'].arch == 'vit_base' and ckpt['epoch'] == 3
    assert torch.equal(ckpt['teacher']['w'], torch.ones(2))


def test_missing_file_names_path(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        load_trusted_checkpoint(str(tmp_path / 'nope.pth'))


def test_not_a_checkpoint(tmp_path):
    path = tmp_path / 'notes.pth'
    path.write_text('not a checkpoint')
    with pytest.raises(ValueError, match='notes.pth is not a readable'):
        load_trusted_checkpoint(str(path))
