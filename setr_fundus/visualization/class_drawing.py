"""Colours of the classes and the pictures drawn with them, for
:class:`~setr_fundus.visualization.FundusVisualizer` and the overlays of
``tools/infer.py``."""
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np

#: RGB colour of the vessels of a two-class (background, vessel) set.
VESSEL_COLOUR = (0, 255, 0)
#: RGB colour of background pixels inside the field of view.
INSIDE_FOV = (40, 40, 40)
#: RGB colours of the optic disc's circle and of zone B's two circles.
DISC_COLOUR = (255, 255, 255)
ZONE_B_COLOUR = (255, 255, 0)

Colour = Tuple[int, int, int]


def class_colours(dataset_meta: dict) -> List[Colour]:
    """The RGB colour each class is drawn in.

    Two-class sets draw their vessels in :data:`VESSEL_COLOUR` (their
    palette, black and white, would hide vessels on a photograph); sets of
    more classes use ``dataset_meta['palette']``.

    Args:
        dataset_meta (dict): With ``classes`` and, for more than two
            classes, ``palette`` (RGB per class).

    Returns:
        list[tuple[int, int, int]]: One colour per class; class 0 (the
        background) is not drawn.

    Raises:
        ValueError: More than two classes but no palette with a colour for
            each.
    """
    classes = dataset_meta['classes']
    if len(classes) == 2:
        return [(0, 0, 0), VESSEL_COLOUR]
    palette = dataset_meta.get('palette') or []
    if len(palette) < len(classes):
        raise ValueError(f'dataset_meta names {len(classes)} classes '
                         f'{list(classes)} but its palette has '
                         f'{len(palette)} colours; give one RGB colour per '
                         'class')
    return [
        tuple(int(c) for c in colour[:3]) for colour in palette[:len(classes)]
    ]


def overlay_classes(img: np.ndarray,
                    class_map: np.ndarray,
                    colours: Sequence[Colour],
                    alpha: float = 0.7) -> np.ndarray:
    """Draw the classes on the photograph.

    Args:
        img (np.ndarray): uint8 HxWx3 BGR photograph.
        class_map (np.ndarray): HxW class indices; 0 (background) and
            indices without a colour (e.g. an ignore index) are not drawn.
        colours (Sequence[tuple[int, int, int]]): RGB colour per class.
        alpha (float): Opacity of the colours. Defaults to 0.7.

    Returns:
        np.ndarray: uint8 HxWx3 BGR picture.
    """
    if class_map.shape != img.shape[:2]:
        raise ValueError(f'class map {class_map.shape} and image '
                         f'{img.shape[:2]} differ in size')
    out = img.copy()
    for index, colour in enumerate(colours[1:], start=1):
        drawn = class_map == index
        tint = np.array(colour[::-1], np.float32)
        out[drawn] = (img[drawn] * (1 - alpha) + tint * alpha + 0.5).astype(
            np.uint8)
    return out


def paint_classes(class_map: np.ndarray,
                  colours: Sequence[Colour],
                  fov: Optional[np.ndarray] = None) -> np.ndarray:
    """Paint a class map in the colours of its classes.

    Args:
        class_map (np.ndarray): HxW class indices; indices without a colour
            (e.g. the ignore index 255) count as background.
        colours (Sequence[tuple[int, int, int]]): RGB colour per class.
        fov (np.ndarray, optional): HxW field-of-view mask (1 = inside).
            Defaults to None (the whole image).

    Returns:
        np.ndarray: uint8 HxWx3 RGB map: each class but 0 in its colour
        inside the FOV, the background there dark grey, outside it black.
    """
    inside = np.ones(class_map.shape, bool) if fov is None else fov == 1
    out = np.zeros(class_map.shape + (3, ), np.uint8)
    out[inside] = INSIDE_FOV
    for index, colour in enumerate(colours[1:], start=1):
        out[(class_map == index) & inside] = colour
    return out


def draw_zone_b(img: np.ndarray, cx: float, cy: float,
                radius: float) -> np.ndarray:
    """Draw the optic disc (radius ``radius``) and zone B (the ring from
    2 to 3 radii around the disc's centre) on a picture.

    Args:
        img (np.ndarray): uint8 HxWx3 BGR picture (not changed).
        cx (float): Column of the disc centre.
        cy (float): Row of the disc centre.
        radius (float): Disc radius in pixels.

    Returns:
        np.ndarray: A copy with the disc in :data:`DISC_COLOUR` and zone B's
        circles in :data:`ZONE_B_COLOUR`.
    """
    out = img.copy()
    thickness = max(1, int(round(max(img.shape[:2]) / 500)))
    centre = (int(round(cx)), int(round(cy)))
    for factor, colour in ((1, DISC_COLOUR), (2, ZONE_B_COLOUR),
                           (3, ZONE_B_COLOUR)):
        cv2.circle(out, centre, int(round(factor * radius)), colour[::-1],
                   thickness, cv2.LINE_8)
    return out
