"""configs/quickstart_drive.py on the real DRIVE archive, shortened to a
few iterations: train.py leaves best_model.pth, test.py scores the test
images. Skipped where DRIVE is not at data/DRIVE (or ../shared/data/DRIVE
beside the repository); the accuracy figures come from full runs
(docs/drive.md), not from here."""
from pathlib import Path

import pytest

from .tool_utils import REPO_ROOT, run_tool

CONFIG = REPO_ROOT / 'configs' / 'quickstart_drive.py'
CANDIDATES = (REPO_ROOT / 'data' / 'DRIVE',
              REPO_ROOT.parent / 'shared' / 'data' / 'DRIVE')
DRIVE = next((p for p in CANDIDATES if (p / 'test' / 'images').is_dir()),
             None)


@pytest.mark.skipif(DRIVE is None, reason='the DRIVE archive is not here')
def test_quickstart_drive_trains_and_tests_on_real_drive(tmp_path):
    work_dir = tmp_path / 'work'
    run_tool([
        'tools/train.py', CONFIG, '--work-dir', work_dir, '--data-root', DRIVE,
        '--cfg-options', 'train_dataloader.dataset.times=1',
        'train_dataloader.num_workers=0', 'val_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'val_dataloader.persistent_workers=False',
        'val_dataloader.dataset.indices=[3]', 'train_cfg.max_epochs=1',
        'train_cfg.val_interval=1'
    ])
    best = Path(work_dir) / 'best_model.pth'
    assert best.is_file()
    output = run_tool([
        'tools/test.py', CONFIG, best, '--work-dir', tmp_path / 'test',
        '--data-root', DRIVE, '--cfg-options',
        'test_dataloader.dataset.indices=[0]', 'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False'
    ])
    assert 'vessel results over 1 images' in output
    assert 'test/Dice' in output and 'test/clDice' in output
