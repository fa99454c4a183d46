"""Fixtures of the end-to-end tool tests: a tiny synthetic DRIVE-layout
set and one uninterrupted training run shared by the test files."""
from pathlib import Path

import pytest

from setr_fundus.datasets.synthetic import write_drive_layout
from .tool_utils import (IMAGE_SIZE, NUM_TEST, NUM_TRAIN, TINY_CONFIG,
                         data_options, run_tool)


@pytest.fixture(scope='session')
def drive_root(tmp_path_factory) -> Path:
    """A synthetic set in the DRIVE layout: 4 training, 2 test images of
    64x72."""
    root = tmp_path_factory.mktemp('DRIVE')
    write_drive_layout(
        str(root),
        num_train=NUM_TRAIN,
        num_test=NUM_TEST,
        size=IMAGE_SIZE,
        seed=0)
    return root


@pytest.fixture(scope='session')
def trained_run(tmp_path_factory, drive_root) -> Path:
    """Work dir of one uninterrupted ``tools/train.py`` run of the tiny
    config (3 epochs of 2 iterations)."""
    work_dir = tmp_path_factory.mktemp('train') / 'work'
    run_tool([
        'tools/train.py', TINY_CONFIG, '--work-dir', work_dir, '--cfg-options',
        *data_options(drive_root)
    ])
    return work_dir
