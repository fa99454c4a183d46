"""Tiny fundus sets written in the public sets' true file formats."""
import gzip
import io
import os
import os.path as osp
from typing import Callable, Optional

import numpy as np
from mmcv.transforms import Compose
from PIL import Image

from setr_fundus.datasets.synthetic import generate_fundus

SIZE = (40, 48)  # H x W of every fixture image
STARE_IDS = ('im0001', 'im0002', 'im0003', 'im0004', 'im0005', 'im0044',
             'im0077', 'im0081', 'im0082', 'im0139', 'im0162', 'im0163',
             'im0235', 'im0236', 'im0239', 'im0240', 'im0255', 'im0291',
             'im0319', 'im0324')


#: The loading steps of the configs' pipelines.
LOAD = [
    dict(
        type='LoadImageFromFile',
        imdecode_backend='pillow',
        color_type='color_ignore_orientation',
        backend_args=dict(backend='local_gzip')),
    dict(type='LoadFundusAnnotations')
]


def load(info: dict) -> dict:
    """A data info after the loading steps of the configs."""
    return Compose(LOAD)(dict(info))


def save(path: str, array: np.ndarray, mode: Optional[str] = None) -> str:
    """Save ``array`` (RGB or grey) with PIL; ``.gz`` paths are gzipped."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    pil = Image.fromarray(array)
    if mode is not None:
        pil = pil.convert(mode)
    if path.endswith('.gz'):
        buffer = io.BytesIO()
        inner_ext = osp.splitext(path[:-3])[1].lower()
        pil.save(buffer, format=Image.registered_extensions()[inner_ext])
        with gzip.open(path, 'wb') as f:
            f.write(buffer.getvalue())
    else:
        pil.save(path)
    return path


def sample(seed: int):
    """``(rgb, vessel, fov)`` of a tiny synthetic fundus image."""
    img, vessel, fov = generate_fundus(seed, SIZE)
    return np.ascontiguousarray(img[..., ::-1]), vessel, fov


def write_chase(root: str) -> str:
    """28 images; 1st observer 0/255 PNG, 2nd observer 0/1 PNG."""
    for i in range(28):
        name = f'Image_{i // 2 + 1:02d}{"LR"[i % 2]}'
        rgb, vessel, _ = sample(100 + i)
        save(osp.join(root, name + '.jpg'), rgb)
        save(osp.join(root, name + '_1stHO.png'), vessel * 255)
        save(osp.join(root, name + '_2ndHO.png'), vessel)
    return root


def write_stare(root: str) -> str:
    """20 images in the distributed sub-folders, mixed .ppm and .ppm.gz."""
    for i, name in enumerate(STARE_IDS):
        rgb, vessel, _ = sample(200 + i)
        gz = '.gz' if i % 2 else ''
        label = np.repeat(vessel[..., None] * 255, 3, axis=2)
        save(osp.join(root, 'stare-images', f'{name}.ppm{gz}'), rgb)
        save(osp.join(root, 'labels-ah', f'{name}.ah.ppm{gz}'), label)
        save(osp.join(root, 'labels-vk', f'{name}.vk.ppm.gz'), label)
    return root


def write_hrf(root: str) -> str:
    """3 categories x 15 images: .JPG/.jpg images, .tif labels and masks."""
    for c, category in enumerate(('dr', 'g', 'h')):
        ext = '.JPG' if category == 'dr' else '.jpg'
        for i in range(15):
            stem = f'{i + 1:02d}_{category}'
            rgb, vessel, fov = sample(300 + 15 * c + i)
            save(osp.join(root, 'images', stem + ext), rgb)
            save(osp.join(root, 'manual1', stem + '.tif'), vessel * 255)
            save(
                osp.join(root, 'mask', stem + '_mask.tif'),
                np.repeat(fov[..., None] * 255, 3, axis=2))
    return root


def write_folder(root: str, count: int, seed: int,
                 label_writer: Callable[[str, np.ndarray], str]) -> str:
    """``images/*.png``, ``labels/`` via ``label_writer``, ``masks/*.png``."""
    for i in range(count):
        rgb, vessel, fov = sample(seed + i)
        save(osp.join(root, 'images', f'case{i}.png'), rgb)
        label_writer(osp.join(root, 'labels', f'case{i}'), vessel)
        save(osp.join(root, 'masks', f'case{i}_mask.png'), fov * 255)
    return root


def palette_gif(stem: str, vessel: np.ndarray) -> str:
    """Palette GIF with indices 0/1, index 1 painted red."""
    height, width = vessel.shape
    pil = Image.frombytes('P', (width, height), vessel.tobytes())
    pil.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    os.makedirs(osp.dirname(stem), exist_ok=True)
    pil.save(stem + '.gif')
    return stem + '.gif'


#: RITE's artery/vein colours and the classes they decode to.
RITE_COLOURS = {(255, 0, 0): 1, (0, 0, 255): 2, (0, 255, 0): 3,
                (255, 255, 255): 3}


def av_classes(vessel: np.ndarray) -> np.ndarray:
    """Artery/vein/crossing/uncertain classes (1-4 drawn by column bands,
    4 stored as 3) on the vessel pixels of a synthetic label."""
    bands = (np.arange(vessel.shape[1]) * 4 // vessel.shape[1]) + 1
    return (vessel * np.minimum(bands, 3)[None, :]).astype(np.uint8)


def av_colours(vessel: np.ndarray) -> np.ndarray:
    """RITE-coloured RGB artery/vein label of a synthetic vessel map."""
    bands = np.arange(vessel.shape[1]) * 4 // vessel.shape[1]
    palette = np.array([(255, 0, 0), (0, 0, 255), (0, 255, 0),
                        (255, 255, 255)], np.uint8)
    return palette[bands][None, :, :] * vessel[..., None]


def write_rite(root: str) -> str:
    """RITE as it unpacks: 3 training + 2 test images."""
    for part, first, count in (('training', 21, 3), ('test', 1, 2)):
        for i in range(count):
            stem = f'{first + i:02d}_{part}'
            rgb, vessel, _ = sample(700 + first + i)
            save(osp.join(root, part, 'images', stem + '.tif'), rgb)
            save(osp.join(root, part, 'av', stem + '.png'), av_colours(vessel))
            save(osp.join(root, part, 'vessel', stem + '.png'), vessel * 255)
    return root
