"""The 'local_gzip' file backend behind the configs' LoadImageFromFile."""
import gzip
import io

import numpy as np
from mmengine.fileio import get
from mmseg.registry import TRANSFORMS
from PIL import Image

import setr_fundus  # noqa: F401  (registers the backend)

LOAD_IMAGE = dict(
    type='LoadImageFromFile',
    imdecode_backend='pillow',
    color_type='color_ignore_orientation',
    backend_args=dict(backend='local_gzip'))


def _ppm_bytes(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format='PPM')
    return buffer.getvalue()


def test_gz_files_are_decompressed_and_others_read_as_they_are(tmp_path):
    raw = _ppm_bytes(np.arange(60, dtype=np.uint8).reshape(4, 5, 3))
    plain = tmp_path / 'a.ppm'
    plain.write_bytes(raw)
    packed = tmp_path / 'a.ppm.GZ'
    packed.write_bytes(gzip.compress(raw))
    args = dict(backend='local_gzip')
    assert get(str(packed), backend_args=args) == raw
    assert get(str(plain), backend_args=args) == raw
    assert get(str(packed)) != raw  # mmengine's own local backend


def test_load_image_from_file_reads_gz_ppm_and_gif_as_bgr(tmp_path):
    rgb = np.random.default_rng(0).integers(0, 255, (6, 7, 3), np.uint8)
    path = tmp_path / 'im0001.ppm.gz'
    path.write_bytes(gzip.compress(_ppm_bytes(rgb)))
    results = TRANSFORMS.build(LOAD_IMAGE)(dict(img_path=str(path)))
    np.testing.assert_array_equal(results['img'], rgb[..., ::-1])
    assert results['img_shape'] == results['ori_shape'] == (6, 7)
    grey = rgb[..., 1]
    gif = tmp_path / 'grey.gif'
    Image.fromarray(grey).save(gif)
    results = TRANSFORMS.build(dict(LOAD_IMAGE, to_float32=True))(
        dict(img_path=str(gif)))
    assert results['img'].dtype == np.float32
    np.testing.assert_array_equal(results['img'],
                                  np.repeat(grey[..., None], 3, axis=2))
