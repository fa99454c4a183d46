"""Session fixtures: tiny sets in each layout (see fundus_fixtures)."""
import pytest
from fundus_fixtures import (SIZE, write_chase, write_hrf, write_rite,
                             write_stare)
from mmengine.registry import init_default_scope

import setr_fundus  # noqa: F401  (registers the modules)
from setr_fundus.datasets.synthetic import write_drive_layout


@pytest.fixture(autouse=True)
def mmseg_scope() -> None:
    init_default_scope('mmseg')


@pytest.fixture(scope='session')
def drive_root(tmp_path_factory) -> str:
    """3 training + 2 test images written by the synthetic tool's helper."""
    root = str(tmp_path_factory.mktemp('DRIVE'))
    write_drive_layout(root, num_train=3, num_test=2, size=SIZE, seed=7)
    return root


@pytest.fixture(scope='session')
def chase_root(tmp_path_factory) -> str:
    return write_chase(str(tmp_path_factory.mktemp('CHASE_DB1')))


@pytest.fixture(scope='session')
def stare_root(tmp_path_factory) -> str:
    return write_stare(str(tmp_path_factory.mktemp('STARE')))


@pytest.fixture(scope='session')
def hrf_root(tmp_path_factory) -> str:
    return write_hrf(str(tmp_path_factory.mktemp('HRF')))


@pytest.fixture(scope='session')
def rite_root(tmp_path_factory) -> str:
    return write_rite(str(tmp_path_factory.mktemp('RITE')))
