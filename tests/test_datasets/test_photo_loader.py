import gzip
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from PIL import Image

import setr_fundus  # noqa: F401
from setr_fundus.datasets import PhotoLoader
from setr_fundus.datasets.photo_loader import DEFAULT_LOAD_STEP

CONFIG_DIR = osp.join(osp.dirname(__file__), '..', '..', 'configs')
CONFIG = osp.join(CONFIG_DIR, 'quickstart_drive.py')


@pytest.fixture(scope='module')
def loader() -> PhotoLoader:
    return PhotoLoader.from_config(Config.fromfile(CONFIG))


def _rgb() -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, (7, 9, 3), np.uint8)


@pytest.mark.parametrize('suffix', ['.png', '.tif', '.bmp', '.ppm'])
def test_reads_bgr_like_the_config(loader, tmp_path, suffix):
    path = str(tmp_path / f'a{suffix}')
    Image.fromarray(_rgb()).save(path)
    img = loader(path)
    assert img.dtype == np.uint8 and img.flags['C_CONTIGUOUS']
    np.testing.assert_array_equal(img, _rgb()[..., ::-1])


def test_reads_gz_and_palette_gif(loader, tmp_path):
    Image.fromarray(_rgb()).save(tmp_path / 'a.ppm')
    with gzip.open(tmp_path / 'a.ppm.gz', 'wb') as f:
        f.write((tmp_path / 'a.ppm').read_bytes())
    np.testing.assert_array_equal(
        loader(str(tmp_path / 'a.ppm.gz')),
        _rgb()[..., ::-1])
    gif = Image.fromarray(_rgb()).convert('P')
    gif.save(tmp_path / 'a.gif')
    expected = np.asarray(gif.convert('RGB'))[..., ::-1]
    np.testing.assert_array_equal(loader(str(tmp_path / 'a.gif')), expected)


def test_unreadable_files_are_named(loader, tmp_path):
    with pytest.raises(FileNotFoundError, match='absent.png'):
        loader(str(tmp_path / 'absent.png'))
    (tmp_path / 'text.jpg').write_text('not an image')
    with pytest.raises(ValueError, match='text.jpg'):
        loader(str(tmp_path / 'text.jpg'))
    Image.fromarray(_rgb()).save(tmp_path / 'full.jpg')
    (tmp_path / 'cut.jpg').write_bytes(
        (tmp_path / 'full.jpg').read_bytes()[:200])
    with pytest.raises(ValueError, match='cannot decode image .*cut.jpg'):
        loader(str(tmp_path / 'cut.jpg'))


def test_refuses_16_bit_photographs(loader, tmp_path):
    # the config's decoder would clip them; the data sets refuse them too
    path = str(tmp_path / 'deep.png')
    Image.fromarray(np.full((5, 5), 4000, np.uint16)).save(path)
    with pytest.raises(ValueError, match='deep.png.*8 bits'):
        loader(path)


def test_needs_an_image_loading_first_step(tmp_path):
    with pytest.raises(KeyError, match='test_pipeline'):
        PhotoLoader.from_config(Config(dict(model=dict())))
    grey = PhotoLoader(dict(type='LoadImageFromFile', color_type='grayscale'))
    Image.fromarray(_rgb()).save(tmp_path / 'a.png')
    with pytest.raises(ValueError, match='expected uint8 HxWx3'):
        grey(str(tmp_path / 'a.png'))


def test_default_step_is_the_configs(loader, tmp_path):
    """Tools without a config read photographs with the configs' step."""
    base = Config.fromfile(
        osp.join(CONFIG_DIR, '_base_', 'datasets', 'fundus_vessel.py'))
    assert DEFAULT_LOAD_STEP == base.load_image.to_dict()
    path = str(tmp_path / 'a.png')
    Image.fromarray(_rgb()).save(path)
    np.testing.assert_array_equal(PhotoLoader.default()(path), loader(path))
