"""tools/analysis_tools/artery_vein_biomarkers.py on drawn photographs with
index-coded artery/vein labels, and its table read by the agreement tool."""
import csv
import os.path as osp
import runpy

import numpy as np

from setr_fundus.evaluation.photograph_biomarkers import BIOMARKER_COLUMNS
from tests.test_datasets.fundus_fixtures import save
from tests.test_evaluation.fundus_drawings import draw_fundus, drawn_fov

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
TOOLS = osp.join(ROOT, 'tools', 'analysis_tools')
SIZE = (300, 320)
DISCS = {'a': (0.45, 0.05), 'b': (-0.45, -0.05), 'c': (0.4, 0.1)}


def _tool(name: str):
    return runpy.run_path(osp.join(TOOLS, f'{name}.py'))['main']


def _write_set(root: str) -> None:
    """test/{images,labels,masks}: vessels above the disc arteries (1),
    below it veins (2), index-coded."""
    _, fy, radius = drawn_fov(SIZE)
    for seed, (stem, disc) in enumerate(DISCS.items()):
        img, vessel, fov = draw_fundus(disc, SIZE, seed=seed)
        above = np.arange(SIZE[0])[:, None] < fy + disc[1] * radius
        label = np.where(vessel > 0, np.where(above, 1, 2), 0)
        save(osp.join(root, 'test', 'images', f'{stem}.png'),
             np.ascontiguousarray(img[..., ::-1]))
        save(osp.join(root, 'test', 'labels', f'{stem}.png'),
             label.astype(np.uint8))
        save(osp.join(root, 'test', 'masks', f'{stem}.png'), fov * 255)


def test_manual_labels_table_and_agreement(tmp_path, capsys):
    root = str(tmp_path / 'set')
    _write_set(root)
    out = str(tmp_path / 'manual.csv')
    assert _tool('artery_vein_biomarkers')([
        '--data-root', root, '--split', 'test', '--field-angle', '45',
        '--out', out
    ]) == 3
    with open(out, newline='') as f:
        reader = csv.DictReader(f)
        rows = {row['stem']: row for row in reader}
    assert reader.fieldnames == ['stem', *BIOMARKER_COLUMNS, 'reason']
    assert sorted(rows) == sorted(DISCS)
    for row in rows.values():
        assert row['disc_x'] != '', row['reason']
        assert float(row['crae_um']) > float(row['crae_px'])
        empty = [c for c in BIOMARKER_COLUMNS if row[c] == '']
        assert all(c in row['reason'] for c in empty), row['reason']
    assert 'AVR' in capsys.readouterr().out

    table = _tool('morphology_agreement')(
        [out, out, '--names', 'itself', '--features', 'crve_px', 'avr'])
    lines = table.splitlines()
    names = [line.split(' | ')[0] for line in lines[2:]]
    assert names == ['| crve_px', '| avr']
    assert all(line.split(' | ')[2] == '1' for line in lines[2:])
