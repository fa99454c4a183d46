import os.path as osp
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.registry import HOOKS
from mmseg.structures import SegDataSample
from PIL import Image, ImageOps

import setr_fundus  # noqa: F401
from setr_fundus.visualization import FundusVisualizer

CONFIG = osp.join(
    osp.dirname(__file__), '..', '..', 'configs', 'quickstart_drive.py')


@pytest.fixture
def drawn(monkeypatch) -> list:
    """The images the hook hands to the visualizer."""
    images = []
    vis = FundusVisualizer.get_instance('test_fundus_visualization_hook')
    monkeypatch.setattr(vis, 'add_datasample',
                        lambda name, image, **kwargs: images.append(image))
    return images


def _run_hook(cfg: Config, img_path: str, batch_image: torch.Tensor,
              ori_shape: tuple) -> None:
    init_default_scope('mmseg')
    hook = HOOKS.build(
        dict(type='FundusVisualizationHook', draw=True, interval=1))
    runner = SimpleNamespace(
        cfg=cfg, message_hub=MessageHub.get_instance('test_vis_hook'))
    hook.before_run(runner)
    output = SegDataSample(
        metainfo=dict(img_path=img_path, ori_shape=ori_shape))
    output.pred_sem_seg = PixelData(data=torch.zeros(1, *ori_shape))
    hook.after_test_iter(runner, 0, dict(inputs=[batch_image]), [output])


def test_reads_the_photograph_with_the_config_loader(drawn, tmp_path):
    # a GIF: mmseg's hook reads photographs with OpenCV, which cannot
    rgb = np.random.default_rng(0).integers(0, 256, (9, 7, 3), np.uint8)
    gif = Image.fromarray(rgb).convert('P')
    path = str(tmp_path / 'a.gif')
    gif.save(path)
    resized = torch.zeros(3, 20, 16, dtype=torch.uint8)  # ResizeToFOV
    _run_hook(Config.fromfile(CONFIG), path, resized, (9, 7))
    np.testing.assert_array_equal(drawn[0], np.asarray(gif.convert('RGB')))


def test_the_config_decides_how_photographs_are_decoded(drawn, tmp_path):
    # a config that honours EXIF rotation gets rotated pictures (the
    # dataset's own reader would ignore it)
    rgb = np.random.default_rng(0).integers(0, 256, (8, 16, 3), np.uint8)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees on display
    path = str(tmp_path / 'a.png')
    Image.fromarray(rgb).save(path, exif=exif)
    cfg = Config(
        dict(test_pipeline=[
            dict(
                type='LoadImageFromFile',
                imdecode_backend='pillow',
                color_type='color')
        ]))
    _run_hook(cfg, path, torch.zeros(3, 2, 2, dtype=torch.uint8), (8, 16))
    expected = ImageOps.exif_transpose(Image.open(path)).convert('RGB')
    assert drawn[0].shape == (16, 8, 3)
    np.testing.assert_array_equal(drawn[0], np.asarray(expected))


def test_batch_image_at_the_photographs_size_is_used(drawn, tmp_path):
    bgr = torch.randint(0, 256, (3, 9, 7), dtype=torch.uint8)
    _run_hook(Config.fromfile(CONFIG), str(tmp_path / 'gone.png'), bgr, (9, 7))
    np.testing.assert_array_equal(drawn[0],
                                  bgr.permute(1, 2, 0).numpy()[..., ::-1])


def test_drawing_needs_the_test_pipeline(drawn):
    with pytest.raises(KeyError, match='test_pipeline'):
        _run_hook(Config(dict()), 'a.png', torch.zeros(3, 2, 2), (2, 2))
