"""tools/train.py then tools/test.py on a synthetic DRIVE-layout folder:
the work-dir files, the TensorBoard scalars and the printed metrics."""
import re
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from PIL import Image
from tensorboard.backend.event_processing.event_accumulator import \
    EventAccumulator

from setr_fundus.utils import load_trusted_checkpoint
from .tool_utils import (IMAGE_SIZE, NUM_TEST, TINY_CONFIG, TINY_EPOCHS,
                         TINY_ITERS_PER_EPOCH, data_options, run_tool)

METRICS = ('Dice', 'IoU', 'Acc', 'Se', 'Sp', 'AUC')


def _test(train_dir: Path, drive_root: Path, test_dir: Path, *extra:
          str) -> str:
    return run_tool([
        'tools/test.py', TINY_CONFIG, train_dir / 'final_model.pth',
        '--work-dir', test_dir, *extra, '--cfg-options',
        *data_options(drive_root)
    ])


def _printed_metrics(output: str) -> dict:
    """``test/<metric>: <value>`` pairs of the final log line."""
    return {
        key: float(value)
        for key, value in re.findall(r'test/(\w+): ([-0-9.]+)', output)
    }


def _check_masks_and_metrics(out_dir: Path, drive_root: Path,
                             metrics: dict) -> None:
    """The ``--out`` masks are named as ``tools/infer.py`` names them,
    binary and at the photograph's size, and the printed Dice, IoU, Acc, Se
    and Sp are those of these masks against the labels inside the FOV,
    pooled over the images (VesselMetric's definitions, recomputed here
    from the files)."""
    masks = sorted(out_dir.glob('*.png'))
    assert [p.name for p in masks
            ] == [f'{i:02d}_test_mask.png' for i in range(1, NUM_TEST + 1)]
    tp = fp = fn = tn = 0
    for i, path in enumerate(masks, 1):
        mask = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
        assert mask.shape == IMAGE_SIZE
        assert set(np.unique(mask)) <= {0, 255}
        pred = mask == 255
        label, fov = (np.array(Image.open(drive_root / 'test' / folder /
                                          name).convert('L')) > 127
                      for folder, name in (
                          ('1st_manual', f'{i:02d}_manual1.gif'),
                          ('mask', f'{i:02d}_test_mask.gif')))
        tp += np.sum(pred & label & fov)
        fp += np.sum(pred & ~label & fov)
        fn += np.sum(~pred & label & fov)
        tn += np.sum(~pred & ~label & fov)
    expected = dict(
        Dice=2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0,
        IoU=tp / (tp + fp + fn) if tp + fp + fn else 1.0,
        Acc=(tp + tn) / (tp + fp + fn + tn),
        Se=tp / (tp + fn),
        Sp=tn / (tn + fp))
    for key, value in expected.items():
        assert metrics[key] == pytest.approx(100 * value, abs=0.006), key


def test_train_writes_seed_checkpoints(trained_run):
    names = {p.name for p in trained_run.iterdir()}
    epochs = [f'model_epoch_{n}.pth' for n in range(1, TINY_EPOCHS + 1)]
    assert {*epochs, 'best_model.pth', 'final_model.pth',
            'last_checkpoint'} <= names
    assert not [n for n in names if n.endswith('.tmp')]
    last = Path((trained_run / 'last_checkpoint').read_text().strip())
    assert last.name == f'model_epoch_{TINY_EPOCHS}.pth'
    total_iters = TINY_EPOCHS * TINY_ITERS_PER_EPOCH
    for name in epochs:
        ckpt = load_trusted_checkpoint(str(trained_run / name))
        assert {'state_dict', 'optimizer', 'message_hub'} <= set(ckpt)
    final = load_trusted_checkpoint(str(trained_run / 'final_model.pth'))
    assert final['meta']['iter'] == total_iters
    assert final['meta']['epoch'] == TINY_EPOCHS
    assert any(k.startswith('decode_head.') for k in final['state_dict'])
    best = load_trusted_checkpoint(str(trained_run / 'best_model.pth'))
    assert 'best_score' in best['meta']
    assert best['meta']['iter'] % TINY_ITERS_PER_EPOCH == 0


def test_weights_files_load_with_torch_defaults(trained_run):
    """best and final files hold weights and plain meta only, so torch's
    default ``weights_only=True`` loading (and mmseg's APIs) read them."""
    for name in ('best_model.pth', 'final_model.pth'):
        ckpt = torch.load(trained_run / name, weights_only=True)
        assert set(ckpt) == {'meta', 'state_dict'}
        assert ckpt['meta']['dataset_meta']['classes'] == ('background',
                                                           'vessel')
        assert isinstance(ckpt['meta']['epoch'], int)
    resumable = load_trusted_checkpoint(
        str(trained_run / f'model_epoch_{TINY_EPOCHS}.pth'))
    assert {'message_hub', 'optimizer', 'param_schedulers'} <= set(resumable)


def test_train_writes_tensorboard_scalars(trained_run):
    events = list(trained_run.glob('**/events.out.tfevents.*'))
    assert len(events) == 1, events
    accumulator = EventAccumulator(str(events[0]))
    accumulator.Reload()
    tags = set(accumulator.Tags()['scalars'])
    wanted = {
        'train/loss', 'train/lr', 'val/val_loss', 'val/loss_ce',
        'val/loss_dice', 'val/Dice', 'val/IoU', 'val/Acc'
    }
    assert wanted <= tags, f'missing {wanted - tags}; tags: {sorted(tags)}'
    total_iters = TINY_EPOCHS * TINY_ITERS_PER_EPOCH
    train_loss = accumulator.Scalars('train/loss')
    assert [e.step for e in train_loss] == list(range(1, total_iters + 1))
    assert all(np.isfinite(e.value) and e.value > 0 for e in train_loss)
    # one validation per epoch; val loss = CE + Dice
    val_loss = [e.value for e in accumulator.Scalars('val/val_loss')]
    parts = [
        e1.value + e2.value for e1, e2 in zip(
            accumulator.Scalars('val/loss_ce'),
            accumulator.Scalars('val/loss_dice'))
    ]
    assert len(val_loss) == TINY_EPOCHS
    np.testing.assert_allclose(val_loss, parts, rtol=1e-5)
    lr = [e.value for e in accumulator.Scalars('train/lr')]
    assert lr[0] > lr[-1] > 0  # cosine annealing
    for key in ('Dice', 'IoU', 'Acc'):
        assert len(accumulator.Scalars(f'val/{key}')) == TINY_EPOCHS
    # best_model.pth holds the epoch of the best logged validation Dice
    dice = [e.value for e in accumulator.Scalars('val/Dice')]
    best = load_trusted_checkpoint(str(trained_run / 'best_model.pth'))
    assert best['meta']['best_score'] == pytest.approx(max(dice), abs=1e-4)


def test_test_prints_the_metrics_of_its_masks(trained_run, drive_root,
                                              tmp_path):
    output = _test(trained_run, drive_root, tmp_path / 'work', '--out',
                   tmp_path / 'masks')
    assert f'Load checkpoint from {trained_run / "final_model.pth"}' in output
    metrics = _printed_metrics(output)
    assert set(METRICS) <= set(metrics), output[-3000:]
    assert f'vessel results over {NUM_TEST} images' in output
    _check_masks_and_metrics(tmp_path / 'masks', drive_root, metrics)


def test_test_with_tta(trained_run, drive_root, tmp_path):
    output = _test(trained_run, drive_root, tmp_path, '--tta', '--out',
                   tmp_path / 'masks')
    metrics = _printed_metrics(output)
    assert set(METRICS) <= set(metrics), output[-3000:]
    _check_masks_and_metrics(tmp_path / 'masks', drive_root, metrics)
    dumped = (tmp_path / TINY_CONFIG.name).read_text()
    assert 'FundusTTAModel' in dumped


def test_test_show_dir_paints_every_test_image(trained_run, drive_root,
                                               tmp_path):
    # --show-dir must paint every image (mmseg's hook interval is 50), with
    # only the test loader pointed at a set: the training set is never built
    show_dir = tmp_path / 'show'
    run_tool([
        'tools/test.py', TINY_CONFIG, trained_run / 'final_model.pth',
        '--work-dir', tmp_path / 'work', '--show-dir', show_dir,
        '--cfg-options',
        f'train_dataloader.dataset.dataset.data_root={tmp_path / "absent"}',
        f'val_dataloader.dataset.data_root={tmp_path / "absent"}',
        f'test_dataloader.dataset.data_root={drive_root}'
    ])
    painted = sorted(show_dir.glob('**/*.png'))
    assert len(painted) == NUM_TEST, (
        f'expected {NUM_TEST} painted predictions under {show_dir}, found '
        f'{[str(p.relative_to(show_dir)) for p in show_dir.glob("**/*")]}')
    height, width = IMAGE_SIZE
    for path in painted:
        image = cv2.imread(str(path))
        # FundusVisualizer: the photograph beside the comparison map
        assert image.shape == (height, 2 * width, 3)
