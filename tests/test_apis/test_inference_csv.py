import csv
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

import setr_fundus  # noqa: F401
from setr_fundus.apis import (ARTERY_VEIN_COLUMNS, COLUMNS, ShardCSV,
                              VesselSegmenter, done_stems, merge_shard_csvs,
                              ok_row, read_rows, shard_csv_path)
from setr_fundus.datasets import ResizeToFOV, generate_fundus
from setr_fundus.datasets.fov_geometry import derive_fov
from tests.model_utils import random_model

TINY = osp.join(
    osp.dirname(__file__), '..', 'test_tools', 'data', 'tiny_config.py')


def _row(name: str, status: str = 'ok') -> dict:
    return dict(path=f'/photos/{name}.png', stem=name, status=status)


def test_shard_csv_drops_a_row_cut_short(tmp_path):
    path = shard_csv_path(str(tmp_path), 0, 2)
    assert osp.basename(path) == 'inference-shard-00001-of-00002.csv'
    with ShardCSV(path) as table:
        table.append(_row('a'))
        table.append(dict(_row('b', 'failed'), reason='bad\nfile,  "x"'))
    with open(path, 'a') as f:
        f.write('/photos/c.png,c,o')  # killed while writing
    rows = read_rows(path)
    assert [r['stem'] for r in rows] == ['a', 'b']
    assert rows[1]['reason'] == 'bad file, "x"'
    assert list(rows[0]) == list(COLUMNS)
    with ShardCSV(path) as table:
        table.append(_row('d'))
    assert [r['stem'] for r in read_rows(path)] == ['a', 'b', 'd']
    with open(path) as f:
        assert f.read().count('\n') == 4  # header and three rows
    assert sorted(done_stems(str(tmp_path))) == ['a', 'b', 'd']
    with ShardCSV(path, restart=True):
        pass
    assert read_rows(path) == []


def test_read_rows_names_a_foreign_table(tmp_path):
    path = tmp_path / 'inference-shard-00001-of-00001.csv'
    path.write_text('path,label\na.png,1\n')
    with pytest.raises(ValueError, match='columns.*label'):
        read_rows(str(path))


def test_merge_sorts_counts_and_names_missing_shards(tmp_path):
    out = str(tmp_path)
    with pytest.raises(FileNotFoundError, match='inference-shard'):
        merge_shard_csvs(out)
    with ShardCSV(shard_csv_path(out, 2, 3)) as table:
        table.append(_row('c'))
        table.append(_row('a', 'failed'))
    with ShardCSV(shard_csv_path(out, 0, 3)) as table:
        table.append(_row('b'))
    merged, counts = merge_shard_csvs(out)
    assert merged == osp.join(out, 'inference.csv')
    assert counts == dict(rows=3, ok=2, failed=1, missing_shards=['2/3'])
    with open(merged, newline='') as f:
        assert [r['stem'] for r in csv.DictReader(f)] == ['a', 'b', 'c']
    with ShardCSV(shard_csv_path(out, 1, 3)) as table:
        table.append(_row('b'))
    with pytest.raises(ValueError, match='b.png has rows in'):
        merge_shard_csvs(out)


@pytest.fixture(scope='module')
def segmenter(tmp_path_factory) -> VesselSegmenter:
    path = str(tmp_path_factory.mktemp('ckpt') / 'tiny.pth')
    torch.save(
        dict(state_dict=random_model(Config.fromfile(TINY)).state_dict()),
        path)
    return VesselSegmenter(TINY, path)


def test_ok_row_records_the_scale_and_the_fov_fraction(segmenter):
    img = generate_fundus(4, (90, 120))[0]
    data = segmenter.prepare(img)
    class_map = np.zeros(img.shape[:2], np.uint8)
    class_map[:, :50] = 1
    row = ok_row('/p/x.png', 'x', data, class_map)
    expected = ResizeToFOV(fov_diameter=64)(dict(img=img))
    cx, cy, diameter = expected['fov_circle']
    assert (row['height'], row['width']) == (90, 120)
    assert float(row['fov_x']) == pytest.approx(cx, abs=0.01)
    assert float(row['fov_y']) == pytest.approx(cy, abs=0.01)
    assert float(row['fov_diameter']) == pytest.approx(diameter, abs=0.01)
    assert float(row['scale_x']) == pytest.approx(
        expected['scale_factor'][0], abs=1e-6)
    fov = derive_fov(img) > 0
    assert float(row['vessel_fraction']) == pytest.approx(
        fov[:, :50].sum() / fov.sum(), abs=1e-6)
    assert 0.2 < float(row['vessel_fraction']) < 0.6


def test_tables_of_two_kinds_of_model_do_not_mix(tmp_path):
    out = str(tmp_path)
    with ShardCSV(shard_csv_path(out, 0, 2)) as table:
        table.append(dict(path='a.png', stem='a', status='ok'))
    with pytest.raises(ValueError, match='another kind of model'):
        ShardCSV(shard_csv_path(out, 0, 2), columns=ARTERY_VEIN_COLUMNS)
    with ShardCSV(shard_csv_path(out, 1, 2),
                  columns=ARTERY_VEIN_COLUMNS) as table:
        table.append(dict(path='b.png', stem='b', status='ok', avr=0.7))
    assert read_rows(shard_csv_path(out, 1, 2))[0]['avr'] == '0.7'
    with pytest.raises(ValueError, match='different columns'):
        merge_shard_csvs(out)
