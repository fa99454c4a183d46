"""The normalised frame of the vessel measurements: binary masks rescaled so
that the field-of-view circle has a set diameter, cut to the square around
it (docs/morphology.md)."""
from typing import List, NamedTuple, Sequence, Tuple

import numpy as np

from ..datasets.fov_geometry import FOVCircle
from .morphology_ops import resample_binary


class FOVFrame(NamedTuple):
    """Binary masks in the normalised ``D x D`` frame.

    Args:
        masks (list[np.ndarray]): Bool DxD masks, in the order given.
        scale (float): Normalised pixels per pixel of the input masks.
        corner (tuple): ``(row, col)`` of the square's corner in the
            rescaled masks.
    """
    masks: List[np.ndarray]
    scale: float
    corner: Tuple[int, int]


def fov_frame(masks: Sequence[Tuple[np.ndarray, bool]], circle: FOVCircle,
              side: int) -> FOVFrame:
    """Rescale HxW masks so that ``circle`` is ``side`` pixels across and cut
    the ``side x side`` square centred on it (zeros outside the image).

    Args:
        masks (Sequence[tuple]): ``(mask, keep_lines)`` pairs of HxW bool
            masks; ``keep_lines`` keeps lines thinner than a pixel of the
            frame (``morphology_ops.resample_binary``).
        circle (FOVCircle): The FOV circle in the masks' pixels.
        side (int): The normalised FOV diameter in pixels.

    Returns:
        FOVFrame: The squares, the scale and the square's corner.
    """
    h, w = masks[0][0].shape
    scale = side / circle.diameter
    size = (max(int(round(w * scale)), 1), max(int(round(h * scale)), 1))
    centre = circle.scaled(scale)
    x0 = int(round(centre.cx - (side - 1) / 2))
    y0 = int(round(centre.cy - (side - 1) / 2))
    squares = []
    for mask, keep_lines in masks:
        resized = resample_binary(mask, size, keep_lines=keep_lines)
        square = np.zeros((side, side), bool)
        ys, xs = max(y0, 0), max(x0, 0)
        ye = min(y0 + side, resized.shape[0])
        xe = min(x0 + side, resized.shape[1])
        if ye > ys and xe > xs:
            square[ys - y0:ye - y0, xs - x0:xe - x0] = resized[ys:ye, xs:xe]
        squares.append(square)
    return FOVFrame(squares, float(scale), (y0, x0))
