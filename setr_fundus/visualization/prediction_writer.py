"""The files ``tools/infer.py`` writes for one photograph: the kinds and
names of :mod:`setr_fundus.fileio.prediction_files` (``<stem>_mask.png``,
``<stem>_prob.png`` and ``<stem>_overlay.png`` for a vessel model;
``<stem>_classes.png`` and ``<stem>_prob_<class>.png`` in place of the
probability for more classes; ``<stem>_prob.npy`` on request), the overlay
drawn in the colours of :func:`class_colours` (with the optic disc and
zone B where given)."""
from typing import Dict, List, Optional, Tuple

import numpy as np

from ..fileio import (class_kind, write_mask, write_npy, write_palette_png,
                      write_png, write_probability)
from .class_drawing import class_colours, draw_zone_b, overlay_classes


def write_prediction_maps(
        paths: Dict[str, str],
        class_map: np.ndarray,
        probs: np.ndarray,
        image: np.ndarray,
        dataset_meta: dict,
        disc: Optional[Tuple[float, float, float]] = None) -> List[str]:
    """Write the files ``paths`` names, each atomically.

    Args:
        paths (dict[str, str]): Path per kind, as
            :func:`~setr_fundus.fileio.prediction_paths` gives.
        class_map (np.ndarray): HxW predicted class indices.
        probs (np.ndarray): CxHxW float class probabilities.
        image (np.ndarray): uint8 HxWx3 BGR photograph.
        dataset_meta (dict): ``classes`` (C names) and, for more than two,
            ``palette``.
        disc (tuple, optional): ``(cx, cy, radius)`` of the optic disc, drawn
            with zone B on the overlay (:func:`draw_zone_b`). Defaults to
            None.

    Returns:
        list[str]: The written files.

    Raises:
        OSError: A file cannot be written (named).
        ValueError: ``probs`` and ``dataset_meta`` differ in the number of
            classes, or a kind is unknown.
    """
    classes = dataset_meta['classes']
    if probs.shape[0] != len(classes):
        raise ValueError(f'the prediction has {probs.shape[0]} classes but '
                         f'dataset_meta names {len(classes)}: '
                         f'{list(classes)}')
    colours = class_colours(dataset_meta)
    class_index = {class_kind(name): i for i, name in enumerate(classes)}
    for kind, path in paths.items():
        if kind == 'mask':
            write_mask(path, class_map)
        elif kind == 'prob':
            write_probability(path, probs[1])
        elif kind == 'classes':
            write_palette_png(path, class_map, colours)
        elif kind == 'overlay':
            overlay = overlay_classes(image, class_map, colours)
            write_png(path, overlay if disc is None else draw_zone_b(
                overlay, *disc))
        elif kind == 'npy':
            write_npy(path, probs[1] if len(classes) == 2 else probs)
        elif kind in class_index:
            write_probability(path, probs[class_index[kind]])
        else:
            raise ValueError(f'unknown output kind {kind!r} for classes '
                             f'{list(classes)}')
    return list(paths.values())
