import os
import os.path as osp

import cv2
import numpy as np
import pytest
from PIL import Image

from setr_fundus.fileio import (atomic_file, class_kind, prediction_kinds,
                                prediction_paths, unique_stems, write_mask,
                                write_npy, write_palette_png, write_png,
                                write_probability)


def test_kinds_for_two_and_more_classes():
    assert prediction_kinds(
        ('background', 'vessel')) == ['mask', 'prob', 'overlay']
    assert prediction_kinds(['bg', 'vessel'], save_npy=True)[-1] == 'npy'
    assert prediction_kinds(('background', 'Artery', 'vein', 'crossing '
                             'point'),
                            save_npy=True) == [
                                'mask', 'classes', 'prob_artery', 'prob_vein',
                                'prob_crossing_point', 'overlay', 'npy'
                            ]
    with pytest.raises(ValueError, match='at least 2'):
        prediction_kinds(['vessel'])
    with pytest.raises(ValueError, match='same file names'):
        prediction_kinds(['bg', 'A/V', 'a v'])
    with pytest.raises(ValueError, match='no file name'):
        class_kind('--')


def test_paths_and_unique_stems():
    kinds = ['mask', 'prob', 'overlay', 'npy', 'classes', 'prob_vein']
    assert prediction_paths('out', 'b', kinds) == {
        'mask': osp.join('out', 'b_mask.png'),
        'prob': osp.join('out', 'b_prob.png'),
        'overlay': osp.join('out', 'b_overlay.png'),
        'npy': osp.join('out', 'b_prob.npy'),
        'classes': osp.join('out', 'b_classes.png'),
        'prob_vein': osp.join('out', 'b_prob_vein.png')
    }
    paths = ['d/a.JPG', 'd/a.png', 'd/b.tif', 'd/c.ppm.gz', 'd/e.ah.ppm']
    stems = unique_stems(paths)
    assert [stems[p] for p in paths] == ['a_JPG', 'a_png', 'b', 'c', 'e.ah']


def test_binary_files_are_opencv_pngs_of_the_old_formulas(tmp_path):
    """Pins the bytes of the two-class outputs: what ``cv2.imwrite`` wrote
    before the writes became atomic."""
    rng = np.random.default_rng(0)
    class_map = rng.integers(0, 2, (9, 7))
    prob = rng.random((9, 7)).astype(np.float32) * 1.2 - 0.1
    write_mask(str(tmp_path / 'm.png'), class_map)
    write_probability(str(tmp_path / 'p.png'), prob)
    cv2.imwrite(
        str(tmp_path / 'm_old.png'), (class_map > 0).astype(np.uint8) * 255)
    cv2.imwrite(
        str(tmp_path / 'p_old.png'),
        np.round(np.clip(prob, 0, 1) * 255).astype(np.uint8))
    for name in ('m', 'p'):
        assert (tmp_path / f'{name}.png').read_bytes() == (
            tmp_path / f'{name}_old.png').read_bytes()
    mask = cv2.imread(str(tmp_path / 'm.png'), cv2.IMREAD_UNCHANGED)
    np.testing.assert_array_equal(mask, np.where(class_map > 0, 255, 0))


def test_palette_png_keeps_indices_and_colours(tmp_path):
    class_map = np.array([[0, 1, 2], [2, 1, 0]])
    palette = [[0, 0, 0], [255, 0, 0], [0, 0, 255]]
    path = str(tmp_path / 'c.png')
    write_palette_png(path, class_map, palette)
    pil = Image.open(path)
    assert pil.mode == 'P'
    np.testing.assert_array_equal(np.asarray(pil), class_map)
    assert pil.getpalette()[:9] == [c for rgb in palette for c in rgb]


def test_npy_is_float32(tmp_path):
    path = str(tmp_path / 'a' / 'p.npy')  # folder created
    write_npy(path, np.ones((3, 2, 2), np.float64) / 3)
    saved = np.load(path)
    assert saved.dtype == np.float32 and saved.shape == (3, 2, 2)


def test_atomic_write_leaves_old_file_on_failure(tmp_path):
    path = tmp_path / 'a_mask.png'
    path.write_bytes(b'old')
    with pytest.raises(RuntimeError):
        with atomic_file(str(path)) as f:
            f.write(b'half')
            raise RuntimeError('crash while writing')
    assert path.read_bytes() == b'old'
    assert os.listdir(tmp_path) == ['a_mask.png']  # no temporary file
    with atomic_file(str(path)) as f:
        f.write(b'new')
        assert path.read_bytes() == b'old'  # not yet renamed
    assert path.read_bytes() == b'new'
    assert os.listdir(tmp_path) == ['a_mask.png']


def test_atomic_write_respects_umask_and_names_the_file(tmp_path):
    write_png(str(tmp_path / 'x.png'), np.zeros((2, 2), np.uint8))
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(tmp_path / 'x.png').st_mode & 0o777 == 0o666 & ~umask
    (tmp_path / 'file').write_bytes(b'')
    with pytest.raises(OSError, match='file/x.png'):
        write_png(str(tmp_path / 'file' / 'x.png'), np.zeros((2, 2), np.uint8))
