"""Procedural colour fundus photographs with exact vessel labels.

The generator draws a circular field of view (FOV) on a dark surround, an
orange-red fundus with radial illumination fall-off and low-frequency
texture, a bright optic disc, a dark fovea and branching vessel trees (two
arcades around the fovea plus two thinner nasal trees) whose width decays
from about 8 px (at DRIVE size, scaled with the image) down to 1 px. Vessels
darken the image mostly in the green channel, as in real photographs. The
label is exactly the set of pixels drawn as vessel. Everything is
deterministic given the seed and uses only numpy and OpenCV.

:func:`write_drive_layout` writes a set in the DRIVE layout; it backs
:class:`~setr_fundus.datasets.SyntheticFundusDataset` and
``tools/misc/make_synthetic_fundus.py``, so equal settings give the same
images either way.
"""
import math
import os
import os.path as osp
from typing import Callable, List, Tuple

import cv2
import numpy as np
from PIL import Image

DRIVE_SIZE = (584, 565)
# Vessel darkening per BGR channel (green strongest, red weakest).
_VESSEL_CHANNEL_WEIGHTS = np.array([0.6, 1.0, 0.35], dtype=np.float32)
_MIN_WIDTH = 0.7  # px; branches thinner than this stop growing
_SHIFT = 4  # fixed-point bits for sub-pixel cv2.line end points


def synthetic_sample_seed(seed: int, split: str, index: int) -> int:
    """Seed of one synthetic image (of the training or the test part).

    Args:
        seed (int): Non-negative base seed of the synthetic set.
        split (str): 'train', or 'val'/'test' (the same held-out images).
        index (int): Index of the image within its split.

    Returns:
        int: A 32-bit seed for :func:`generate_fundus`.
    """
    part = 0 if split == 'train' else 1
    state = np.random.SeedSequence([seed, part, index]).generate_state(1)
    return int(state[0])


def _grow_tree(rng: np.random.Generator, start: Tuple[float, float],
               angle: float, width: float, curvature: float, geometry: dict,
               draw: Callable) -> None:
    """Grow one branching vessel tree, drawing each step with ``draw``."""
    radius = geometry['radius']
    step = geometry['step']
    decay = math.exp(-step / radius)  # width halves every ~0.7 FOV radius
    branch_prob = step / (0.25 * radius)
    cx, cy = geometry['center']
    fx, fy = geometry['fovea']
    fovea_free = geometry['fovea_free']
    stack = [(start[0], start[1], angle, width, curvature)]
    while stack:
        x, y, a, w, k = stack.pop()
        while w >= _MIN_WIDTH:
            a += k + rng.normal(0.0, 0.035)
            nx, ny = x + step * math.cos(a), y + step * math.sin(a)
            if (math.hypot(nx - cx, ny - cy) > radius
                    or math.hypot(nx - fx, ny - fy) < fovea_free):
                break
            draw(x, y, nx, ny, w)
            x, y, w = nx, ny, w * decay
            if rng.random() < branch_prob:
                child = w * rng.uniform(0.5, 0.8)
                if child >= _MIN_WIDTH:
                    side = 1.0 if rng.random() < 0.5 else -1.0
                    stack.append(
                        (x, y, a + side * rng.uniform(0.4, 1.0), child,
                         rng.normal(0.0, 0.3 * step / radius)))
                    w *= 0.92


def _draw_vessels(rng: np.random.Generator, shape: Tuple[int, int],
                  geometry: dict, side: float, scale: float) -> np.ndarray:
    """Draw all vessel trees; returns the float32 contrast map (0 = none)."""
    contrast = np.zeros(shape, dtype=np.float32)
    width0 = max(2.0, 8.0 * scale)
    one = 1 << _SHIFT

    def draw(x0: float, y0: float, x1: float, y1: float, w: float) -> None:
        value = 0.28 + 0.3 * min(1.0, w / width0)
        cv2.line(
            contrast, (int(x0 * one), int(y0 * one)),
            (int(x1 * one), int(y1 * one)),
            value,
            thickness=max(1, int(round(w))),
            lineType=cv2.LINE_8,
            shift=_SHIFT)

    heading = math.pi if side > 0 else 0.0  # from the disc towards the fovea
    arcade_k = 1.1 * geometry['step'] / geometry['radius']
    for sign in (1.0, -1.0):  # superior and inferior arcade
        _grow_tree(rng, geometry['disc'],
                   heading + sign * side * rng.uniform(0.75, 1.05),
                   width0 * rng.uniform(0.9, 1.0), -sign * side * arcade_k,
                   geometry, draw)
    for sign in (1.0, -1.0):  # thinner nasal trees
        _grow_tree(rng, geometry['disc'],
                   heading + math.pi + sign * rng.uniform(0.4, 0.9),
                   width0 * rng.uniform(0.55, 0.7), sign * 0.3 * arcade_k,
                   geometry, draw)
    return contrast


def generate_fundus(
    seed: int,
    size: Tuple[int, int] = DRIVE_SIZE
) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw one synthetic fundus photograph with its labels.

    Args:
        seed (int): Seed; the same seed and size give the same arrays.
        size (tuple[int, int]): Image size (H, W), each at least 32.
            Defaults to DRIVE's (584, 565).

    Returns:
        tuple: ``(img, vessel, fov)``: the image as uint8 HxWx3 in BGR
        order, the vessel label as uint8 HxW in {0, 1} (1 exactly where a
        vessel was drawn) and the FOV mask as uint8 HxW in {0, 1}.
    """
    height, width = (int(v) for v in size)
    if min(height, width) < 32:
        raise ValueError(f'synthetic fundus size must be at least 32x32, '
                         f'got {size}')
    rng = np.random.default_rng(seed)
    scale = min(height, width) / DRIVE_SIZE[1]
    radius = 0.47 * min(height, width)
    center = (width / 2 + rng.uniform(-0.02, 0.02) * width,
              height / 2 + rng.uniform(-0.02, 0.02) * height)
    side = 1.0 if rng.random() < 0.5 else -1.0  # optic disc right or left
    disc = (center[0] + side * rng.uniform(0.45, 0.55) * radius,
            center[1] + rng.uniform(-0.08, 0.08) * radius)
    fovea = (center[0] - side * rng.uniform(0.05, 0.12) * radius,
             center[1] + rng.uniform(-0.05, 0.05) * radius)
    geometry = dict(
        center=center,
        radius=radius,
        disc=disc,
        fovea=fovea,
        fovea_free=0.07 * radius,
        step=max(1.5, 3.0 * scale))

    yy, xx = np.ogrid[:height, :width]
    xx = xx.astype(np.float32)
    yy = yy.astype(np.float32)
    dist = np.sqrt((xx - center[0])**2 + (yy - center[1])**2) / radius
    fov = (dist <= 1.0).astype(np.uint8)

    texture = cv2.resize(
        rng.normal(0.0, 1.0, (6, 6)).astype(np.float32), (width, height),
        interpolation=cv2.INTER_CUBIC)
    illumination = np.clip(1.0 - 0.45 * dist**2, 0.0,
                           None) * (1.0 + 0.06 * texture)
    base = np.array(
        [rng.uniform(25, 45),
         rng.uniform(70, 95),
         rng.uniform(170, 215)],
        dtype=np.float32)
    img = illumination[..., None] * base

    disc_radius = rng.uniform(0.11, 0.13) * radius
    disc_dist = np.sqrt((xx - disc[0])**2 + (yy - disc[1])**2)
    disc_blob = 1.0 / (1.0 + np.exp(
        np.clip((disc_dist - disc_radius) / (0.12 * disc_radius), -30, 30)))
    img += disc_blob[..., None] * np.array([70, 120, 45], dtype=np.float32)
    fovea_sigma = 0.12 * radius
    fovea_blob = np.exp(-((xx - fovea[0])**2 + (yy - fovea[1])**2) /
                        (2 * fovea_sigma**2))
    img *= (1.0 - 0.35 * fovea_blob)[..., None]

    contrast = _draw_vessels(rng, (height, width), geometry, side, scale)
    contrast *= fov
    img *= 1.0 - contrast[..., None] * _VESSEL_CHANNEL_WEIGHTS
    img += rng.standard_normal(img.shape, dtype=np.float32) * 2.5
    img[fov == 0] = 4.0 + rng.standard_normal(
        (int((fov == 0).sum()), 3), dtype=np.float32)
    img_bgr = np.clip(img, 0, 255).astype(np.uint8)
    vessel = (contrast > 0).astype(np.uint8)
    return img_bgr, vessel, fov


def write_drive_layout(out_dir: str,
                       num_train: int = 20,
                       num_test: int = 20,
                       size: Tuple[int, int] = DRIVE_SIZE,
                       seed: int = 0) -> List[str]:
    """Write a synthetic set as the DRIVE archives unpack.

    Test images get ids 1..num_test, training images the following ids
    (DRIVE: 01-20 test, 21-40 training). For each part (``training``,
    ``test``) it writes ``PART/images/ID_PART.tif`` (RGB TIFF),
    ``PART/1st_manual/ID_manual1.gif`` (0/255) and
    ``PART/mask/ID_PART_mask.gif`` (0/255).

    Args:
        out_dir (str): Output folder (created if missing).
        num_train (int): Number of training images. Defaults to 20.
        num_test (int): Number of test images. Defaults to 20.
        size (tuple[int, int]): Image size (H, W). Defaults to (584, 565).
        seed (int): Base seed; the same seed gives the images of
            ``SyntheticFundusDataset`` with equal settings.

    Returns:
        list[str]: Paths of the written images.
    """
    written = []
    parts = [('test', 'test', num_test, 1),
             ('training', 'train', num_train, num_test + 1)]
    for part, split, count, first_id in parts:
        dirs = {
            sub: osp.join(out_dir, part, sub)
            for sub in ('images', '1st_manual', 'mask')
        }
        for path in dirs.values():
            os.makedirs(path, exist_ok=True)
        for index in range(count):
            img, vessel, fov = generate_fundus(
                synthetic_sample_seed(seed, split, index), size)
            sample_id = f'{first_id + index:02d}'
            img_path = osp.join(dirs['images'], f'{sample_id}_{part}.tif')
            Image.fromarray(img[..., ::-1]).save(img_path)
            Image.fromarray(vessel * 255).save(
                osp.join(dirs['1st_manual'], f'{sample_id}_manual1.gif'))
            Image.fromarray(fov * 255).save(
                osp.join(dirs['mask'], f'{sample_id}_{part}_mask.gif'))
            written.append(img_path)
    return written
