"""Finding the layout of a ``data_root`` and listing one of its parts.

Detection does not depend on the order layouts are registered in: every
layout's ``detect`` is asked. Exactly one specific layout (DRIVE, RITE,
CHASE_DB1, STARE, HRF, ...) matching is the answer; several matching is an
error naming them (pass ``layout=``); where none matches, the generic
folder layout is tried.
"""
import os
import os.path as osp
from typing import List

from .base import FUNDUS_LAYOUTS, FundusLayout, SampleFiles

SPLITS = ('train', 'val', 'test')


def layout_names() -> List[str]:
    """Names of the registered layouts, in registration order."""
    return list(FUNDUS_LAYOUTS.module_dict)


def get_layout(name: str) -> FundusLayout:
    """The layout registered as ``name``; raise naming the layouts."""
    if name not in FUNDUS_LAYOUTS.module_dict:
        raise ValueError(
            f'layout must be one of {tuple(layout_names())}, got {name!r}')
    return FUNDUS_LAYOUTS.module_dict[name]()


def detect_layout(data_root: str) -> str:
    """Name of the layout of ``data_root`` (see the module docstring).

    Args:
        data_root (str): Folder holding an unpacked set.

    Returns:
        str: A registered layout name.

    Raises:
        FileNotFoundError: If ``data_root`` is not an existing folder.
        ValueError: If no layout matches, or several specific ones do; the
            message lists each layout and what it expects.
    """
    layouts = {name: get_layout(name) for name in layout_names()}
    tried = '\n'.join(f'  {name}: {layout.expects}'
                      for name, layout in layouts.items())
    if not data_root or not osp.isdir(data_root):
        reason = 'is empty' if not data_root else 'is not a folder'
        raise FileNotFoundError(
            f'data_root {data_root!r} {reason}; set it to an unpacked set '
            f"(or use SyntheticFundusDataset). Layouts tried:\n{tried}")
    for generic in (False, True):
        matches = sorted(
            name for name, layout in layouts.items()
            if layout.generic == generic and layout.detect(data_root))
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ValueError(
                f'data_root {data_root!r} matches the layouts {matches}; '
                'set layout= to the one it is. Layouts:\n' + tried)
    entries = sorted(os.listdir(data_root))
    shown = ', '.join(entries[:10]) + (', ...' if len(entries) > 10 else '')
    raise ValueError(f'no known fundus layout found in data_root '
                     f'{data_root!r} (entries: {shown or "none"}). Layouts '
                     f'tried:\n{tried}')


def list_samples(layout: str, data_root: str, split: str,
                 annotator: int) -> List[SampleFiles]:
    """List the sample files of one part of a layout.

    Args:
        layout (str): A registered layout name.
        data_root (str): Folder holding the unpacked set.
        split (str): 'train' or 'test', the part; 'val' only for a layout
            with a validation part of its own (a folder with ``val/``).
        annotator (int): 1 or 2, the observer whose label to read.

    Returns:
        list[dict]: ``{'img': path, 'fov': path or None, <map>: path}``.
    """
    spec = get_layout(layout)
    if split not in SPLITS or (split == 'val'
                               and not spec.has_own_val(data_root)):
        raise ValueError(f'{layout}: no part {split!r} in {data_root}; the '
                         "parts are 'train' and 'test' (validation images "
                         'are held out of the training part)')
    if annotator > spec.annotators:
        raise ValueError(f'layout {layout!r} has {spec.annotators} '
                         f'annotator(s); annotator={annotator} is not '
                         'available')
    if not osp.isdir(data_root):
        raise FileNotFoundError(
            f'{layout}: data_root {data_root!r} is not a folder')
    samples = spec.list_part(data_root, split, annotator)
    if not samples:
        raise ValueError(f'{layout}: no images for split {split!r} in '
                         f'{data_root}; expected {spec.expects}')
    return samples
