"""tools/analysis_tools/vessel_morphology.py and morphology_agreement.py end
to end on tiny folders, and the ICC against Shrout & Fleiss (1979)."""
import csv
import importlib.util
import os.path as osp
import shutil
from types import ModuleType

import cv2
import numpy as np
import pytest
from PIL import Image

from setr_fundus.datasets import write_drive_layout
from setr_fundus.evaluation.morphology_agreement import agreement, icc
from setr_fundus.evaluation.morphology_files import (list_mask_folder,
                                                     paired_name)

TOOLS = osp.join(osp.dirname(__file__), '..', '..', 'tools', 'analysis_tools')
REQUIRED = [
    'image', 'fov_diameter_px', 'density', 'fractal_dimension',
    'skeleton_length', 'segments', 'branch_points', 'end_points',
    'caliber_median', 'tortuosity_distance'
]
SIZE = 120


def load_tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        name, osp.join(TOOLS, name + '.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _drawing(seed: int) -> tuple:
    """A few random thick lines inside a disc FOV (0/255 mask and FOV)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:SIZE, :SIZE]
    fov = (np.hypot(yy - 59.5, xx - 59.5) <= 54).astype(np.uint8) * 255
    vessel = np.zeros((SIZE, SIZE), np.uint8)
    for _ in range(4):
        p0, p1 = rng.integers(20, 100, size=(2, 2))
        cv2.line(vessel, tuple(map(int, p0)), tuple(map(int, p1)), 255, 2)
    return vessel & fov, fov


def _folders(tmp_path) -> tuple:
    """tools/test.py-style masks ``a.png`` and ``b.png``, a DRIVE-style
    ``a_mask.gif`` and a plain ``b.png`` FOV mask."""
    masks, fovs = tmp_path / 'masks', tmp_path / 'fov'
    masks.mkdir()
    fovs.mkdir()
    for name, mask_file, fov_file, seed in (('a', 'a.png', 'a_mask.gif', 0),
                                            ('b', 'b.png', 'b.png', 1)):
        vessel, fov = _drawing(seed)
        cv2.imwrite(str(masks / mask_file), vessel)
        Image.fromarray(fov).save(fovs / fov_file)
    return masks, fovs


def _read_csv(path) -> list:
    with open(path, newline='') as f:
        return list(csv.DictReader(f))


def test_paired_name_is_the_stem_without_the_mask_suffix():
    assert paired_name('x/01_test.png') == '01_test'
    assert paired_name('01_test_mask.png') == '01_test'
    assert paired_name('01_test_mask.gif') == '01_test'
    assert paired_name('im0001.ppm.gz') == 'im0001'
    assert paired_name('im0001.ah.ppm.gz') == 'im0001.ah'
    assert paired_name('mask.png') == 'mask'


def test_folders_pair_gzipped_files(tmp_path):
    masks, fovs = tmp_path / 'masks', tmp_path / 'fov'
    masks.mkdir()
    fovs.mkdir()
    for name in ('im0001.PPM.gz', 'im0002.ppm.gz', 'notes.txt'):
        (masks / name).write_bytes(b'')
    for name in ('im0001_mask.gif.gz', 'im0002.png'):
        (fovs / name).write_bytes(b'')
    listed = list_mask_folder(str(masks), str(fovs))
    assert [(f.image, osp.basename(f.mask_path), osp.basename(f.fov_path))
            for f in listed] == [('im0001', 'im0001.PPM.gz',
                                  'im0001_mask.gif.gz'),
                                 ('im0002', 'im0002.ppm.gz', 'im0002.png')]


def test_tool_writes_csv_and_pictures(tmp_path, capsys):
    masks, fovs = _folders(tmp_path)
    out, shows = tmp_path / 'features.csv', tmp_path / 'shows'
    load_tool('vessel_morphology').main([
        str(masks), '--fov-dir',
        str(fovs), '--out',
        str(out), '--show-dir',
        str(shows), '--field-angle', '45'
    ])
    assert 'measured 2 masks' in capsys.readouterr().out
    rows = _read_csv(out)
    assert [r['image'] for r in rows] == ['a', 'b']
    assert set(REQUIRED) <= set(rows[0])
    assert {
        'fractal_dimension_skeleton', 'caliber_widest', 'tortuosity_curvature',
        'caliber_median_um'
    } <= set(rows[0])
    for row in rows:
        assert float(row['fov_diameter_px']) == pytest.approx(109, abs=1.5)
        assert 0 < float(row['density']) < 0.5
        assert int(row['segments']) >= 1
    for name in ('a', 'b'):
        picture = cv2.imread(str(shows / f'{name}.png'))
        assert picture.shape == (540 + 40, 540, 3)
        assert (picture[:540, :, 2] > 200).any(), 'no centreline colours'


def test_tool_reads_only_the_masks_of_an_infer_folder(tmp_path):
    infer, fovs = tmp_path / 'infer', tmp_path / 'fov'
    infer.mkdir()
    fovs.mkdir()
    vessel, fov = _drawing(2)
    cv2.imwrite(str(infer / '03_test_mask.png'), vessel)
    grey = np.tile(np.arange(SIZE, dtype=np.uint8) * 2, (SIZE, 1))
    for kind in ('prob', 'overlay'):
        cv2.imwrite(str(infer / f'03_test_{kind}.png'), grey)
    cv2.imwrite(str(fovs / '03_test_mask.png'), fov)
    out = tmp_path / 'infer.csv'
    load_tool('vessel_morphology').main(
        [str(infer), '--fov-dir',
         str(fovs), '--out',
         str(out)])
    assert [r['image'] for r in _read_csv(out)] == ['03_test']


def test_tool_on_a_data_sets_labels(tmp_path):
    root = tmp_path / 'DRIVE'
    write_drive_layout(str(root), num_train=1, num_test=2, size=(96, 90))
    out = tmp_path / 'observer1.csv'
    load_tool('vessel_morphology').main([
        '--data-root',
        str(root), '--split', 'test', '--annotator', '1', '--out',
        str(out), '--fov-diameter', '128'
    ])
    rows = _read_csv(out)
    assert [r['image'] for r in rows] == ['01_test', '02_test']
    # the same labels as a mask folder, FOV derived from the photographs
    labels = tmp_path / 'labels'
    labels.mkdir()
    for i in (1, 2):
        shutil.copy(root / 'test' / '1st_manual' / f'0{i}_manual1.gif',
                    labels / f'0{i}_test.gif')
    again = tmp_path / 'derived.csv'
    load_tool('vessel_morphology').main([
        str(labels), '--img-dir',
        str(root / 'test' / 'images'), '--out',
        str(again), '--fov-diameter', '128'
    ])
    for first, second in zip(rows, _read_csv(again)):
        assert float(second['density']) == pytest.approx(
            float(first['density']), rel=0.05)


def test_tool_errors_name_the_file(tmp_path):
    masks, fovs = _folders(tmp_path)
    tool = load_tool('vessel_morphology')
    out = str(tmp_path / 'f.csv')
    (fovs / 'b.png').unlink()
    with pytest.raises(FileNotFoundError, match='masks/b.png.*expected b'):
        tool.main([str(masks), '--fov-dir', str(fovs), '--out', out])
    cv2.imwrite(str(fovs / 'b.png'), np.zeros((SIZE, SIZE + 1), np.uint8))
    with pytest.raises(ValueError, match='masks/b.png.*fov/b.png'):
        tool.main([str(masks), '--fov-dir', str(fovs), '--out', out])
    cv2.imwrite(str(fovs / 'b.png'), np.zeros((SIZE, SIZE), np.uint8))
    with pytest.raises(ValueError, match='masks/b.png.*FOV mask is empty'):
        tool.main([str(masks), '--fov-dir', str(fovs), '--out', out])
    grey = np.tile(np.arange(SIZE, dtype=np.uint8) * 2, (SIZE, 1))
    cv2.imwrite(str(masks / 'b.png'), grey)
    with pytest.raises(ValueError, match='masks/b.png is not binary'):
        tool.main([str(masks), '--fov-dir', str(fovs), '--out', out])
    with pytest.raises(SystemExit):
        tool.main(['--out', out])


def test_icc_matches_shrout_fleiss():
    # Shrout & Fleiss (1979), Table 2: 6 targets, 4 judges
    ratings = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6],
                        [10, 5, 6, 9], [6, 2, 4, 7]])
    assert icc(ratings, '2,1') == pytest.approx(0.29, abs=0.005)
    assert icc(ratings, '3,1') == pytest.approx(0.71, abs=0.005)
    with pytest.raises(ValueError):
        icc(ratings, '1,1')


def test_agreement_of_an_offset_copy():
    reference = {f'i{k}': dict(x=float(k)) for k in range(10)}
    shifted = {key: dict(x=row['x'] + 1) for key, row in reference.items()}
    row, = agreement(reference, shifted, ['x'])
    assert row['icc_c1'] == pytest.approx(1.0)
    assert row['icc_a1'] < 0.95  # absolute agreement sees the offset
    assert row['mad_percent'] == pytest.approx(100 / 4.5)
    assert row['bias_percent'] == pytest.approx(100 / 4.5)
    with pytest.raises(ValueError, match='different images'):
        agreement(reference, {'i0': dict(x=0.0)}, ['x'])


def test_agreement_tool_prints_a_table(tmp_path, capsys):
    masks, fovs = _folders(tmp_path)
    first, second = tmp_path / 'one.csv', tmp_path / 'two.csv'
    tool = load_tool('vessel_morphology')
    for path in (first, second):
        tool.main([str(masks), '--fov-dir', str(fovs), '--out', str(path)])
    table = load_tool('morphology_agreement').main([
        str(first),
        str(second), '--names', 'copy', '--out',
        str(tmp_path / 'table.md')
    ])
    lines = table.splitlines()
    assert lines[0].startswith('| feature |') and 'copy: ICC(2,1)' in lines[0]
    density = next(line for line in lines if line.startswith('| density '))
    cells = [cell.strip() for cell in density.strip('|').split('|')]
    assert cells[2:] == ['1', '0', '0']
    assert (tmp_path / 'table.md').read_text().strip() == table
    assert capsys.readouterr().out.rstrip().endswith(table)
