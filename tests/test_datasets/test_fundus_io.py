import os.path as osp

import numpy as np
import pytest
from fundus_fixtures import sample, save

from setr_fundus.datasets import fundus_io


@pytest.mark.filterwarnings('ignore:Corrupt EXIF data')
def test_corrupt_and_missing_files_named(tmp_path):
    bad = tmp_path / 'broken.tif'
    bad.write_bytes(b'II*\x00 this is not a tiff')
    with pytest.raises(ValueError, match='broken.tif'):
        fundus_io.read_label(str(bad))
    truncated = tmp_path / 'cut.png'
    save(str(truncated), sample(6)[0])
    truncated.write_bytes(truncated.read_bytes()[:200])
    with pytest.raises(ValueError, match='cut.png'):
        fundus_io.read_fov(str(truncated))
    bad_gz = tmp_path / 'x.ppm.gz'
    bad_gz.write_bytes(b'not gzip')
    with pytest.raises(ValueError, match='x.ppm.gz'):
        fundus_io.read_label(str(bad_gz))
    with pytest.raises(FileNotFoundError, match='missing.gif'):
        fundus_io.read_fov(str(tmp_path / 'missing.gif'))


def test_read_annotations_size_mismatch_names_both(tmp_path):
    rgb, vessel, fov = sample(7)
    img, img_path = rgb[..., ::-1], str(tmp_path / 'img.png')
    small = save(str(tmp_path / 'small_label.png'), vessel[:-3] * 255)
    with pytest.raises(ValueError) as err:
        fundus_io.read_annotations(img, img_path, small)
    message = str(err.value)
    assert 'small_label.png' in message and 'img.png' in message
    assert str(vessel[:-3].shape) in message and str(vessel.shape) in message
    label_path = save(str(tmp_path / 'label.png'), vessel * 255)
    mask_path = save(str(tmp_path / 'mask.gif'), fov[:, :-1] * 255)
    with pytest.raises(ValueError, match='FOV mask .*mask.gif'):
        fundus_io.read_annotations(img, img_path, label_path, mask_path)
    ok_mask = save(osp.join(tmp_path, 'ok.gif'), fov * 255)
    label, got_fov = fundus_io.read_annotations(img, img_path, label_path,
                                                ok_mask)
    np.testing.assert_array_equal(label, vessel)
    np.testing.assert_array_equal(got_fov, fov)
    assert fundus_io.read_annotations(img, img_path, None)[0] is None
