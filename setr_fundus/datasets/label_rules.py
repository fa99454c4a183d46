"""How a label file's pixels become class indices: one rule per map.

Three kinds of rule, each a :class:`LabelRule`:

- binary (``'binary'``): vessel / background, the rule of
  :func:`~setr_fundus.datasets.fundus_io.binarise` (threshold at half the
  maximum; grey-level maps and labels of several colours are refused).
- colour table (``'artery_vein_colours'``, RITE's): each colour is a class;
  a pixel takes the class of the nearest table colour within
  ``COLOUR_TOLERANCE`` levels per channel.
- colour table or index-coded (``'artery_vein'``, the folder layout's):
  coloured files are read through the table, grey ones (``L``/``P``/equal
  channels) as class indices.

Artery/vein classes (RITE's colours; index-coded sets use the indices):
0 background (black), 1 artery (red), 2 vein (blue), 3 crossing or
uncertain (green crossings and white uncertain pixels both). Value 255 is
ignored by the loss. Colour-table pixels that fit no table colour (a few
magenta or cyan pixels in 16 of RITE's 40 files, at most 9 per file) become
255, up to ``NON_BINARY_TOLERANCE`` of the labelled (non-black) pixels; more
is an error naming the file and the colours found.
"""
from dataclasses import dataclass
from typing import Dict, Optional, Sequence, Tuple

import numpy as np

Colour = Tuple[int, int, int]
#: Value of pixels the loss ignores (mmseg's ``ignore_index``).
IGNORE_INDEX = 255
#: Largest per-channel difference of a pixel from its table colour.
COLOUR_TOLERANCE = 64
#: Share of off-rule pixels tolerated (JPEG ringing, stray colours).
NON_BINARY_TOLERANCE = 0.02


@dataclass(frozen=True)
class LabelRule:
    """Classes of a label map and how its files encode them.

    Args:
        classes (tuple[str]): Class names, in index order.
        palette (tuple[tuple[int]]): RGB colour of each class.
        colours (dict, optional): Colour table, RGB -> class index; None for
            the binary rule. Defaults to None.
        index_coded (bool): Grey files hold class indices (with a colour
            table, coloured files are read through the table). Defaults to
            False.
    """
    classes: Tuple[str, ...]
    palette: Tuple[Colour, ...]
    colours: Optional[Dict[Colour, int]] = None
    index_coded: bool = False

    @property
    def binary(self) -> bool:
        """Whether this is the binary vessel rule."""
        return self.colours is None and not self.index_coded

    @property
    def metainfo(self) -> dict:
        """``classes`` and ``palette`` as mmseg's ``METAINFO`` holds them."""
        return dict(
            classes=self.classes, palette=[list(c) for c in self.palette])


_AV_CLASSES = ('background', 'artery', 'vein', 'crossing/uncertain')
_AV_PALETTE = ((0, 0, 0), (255, 0, 0), (0, 0, 255), (0, 255, 0))
#: RITE's colours: crossings (green) and uncertain pixels (white) are one
#: class, as the index-coded artery/vein sets store them.
RITE_AV_COLOURS = {(0, 0, 0): 0, (255, 0, 0): 1, (0, 0, 255): 2,
                   (0, 255, 0): 3, (255, 255, 255): 3}

#: The label rules a layout's maps may name.
LABEL_RULES: Dict[str, LabelRule] = dict(
    binary=LabelRule(('background', 'vessel'), ((0, 0, 0), (255, 255, 255))),
    artery_vein_colours=LabelRule(_AV_CLASSES, _AV_PALETTE, RITE_AV_COLOURS),
    artery_vein=LabelRule(
        _AV_CLASSES, _AV_PALETTE, RITE_AV_COLOURS, index_coded=True),
)


def get_label_rule(name: str) -> LabelRule:
    """The rule called ``name`` in ``LABEL_RULES``; raise naming them."""
    if name not in LABEL_RULES:
        raise ValueError(f'label rule must be one of {tuple(LABEL_RULES)}, '
                         f'got {name!r}')
    return LABEL_RULES[name]


def _show_colours(colours: np.ndarray, counts: np.ndarray) -> str:
    """'(255, 0, 255) 3 px, ...' for the 8 most frequent colours."""
    order = np.argsort(-counts, kind='stable')[:8]
    shown = ', '.join(f'{tuple(int(v) for v in colours[i])} {counts[i]} px'
                      for i in order)
    return shown + (', ...' if len(counts) > 8 else '')


def check_one_colour(rgb: np.ndarray, path: str, kind: str) -> None:
    """Refuse a binary label whose foreground has several colours.

    The foreground (maximum over RGB above half the label's maximum) must
    be of one chromaticity (each pixel's RGB over its maximum channel):
    pixels whose chromaticity differs from the most frequent one by more
    than a quarter in a channel may be at most ``NON_BINARY_TOLERANCE`` of
    the foreground. Grey, one-coloured and palette labels pass; RITE's
    artery/vein colours do not.

    Args:
        rgb (np.ndarray): uint8 HxWx3 label.
        path (str): Its file, named in the error.
        kind (str): 'label' or 'FOV mask', for the error.

    Raises:
        ValueError: Naming the file and the colours found.
    """
    if (rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1]
                                               == rgb[..., 2]).all():
        return
    peak = rgb.max(axis=2)
    foreground = rgb[peak > 0.5 * peak.max()]
    if not foreground.size:
        return
    colours, counts = np.unique(foreground, axis=0, return_counts=True)
    chroma = colours / colours.max(axis=1, keepdims=True)
    off = np.abs(chroma - chroma[counts.argmax()]).max(axis=1) > 0.25
    if counts[off].sum() > NON_BINARY_TOLERANCE * counts.sum():
        raise ValueError(
            f'{kind} {path} is not binary: its foreground has several '
            f'colours ({_show_colours(colours, counts)}); a colour-coded '
            'label (e.g. RITE artery/vein) needs a colour-table rule such as '
            "FundusArteryVeinDataset's")


def decode_classes(array: np.ndarray, rule: LabelRule,
                   path: str) -> np.ndarray:
    """Class indices of a label under a colour-table / index-coded rule.

    Args:
        array (np.ndarray): HxW values (grey or palette indices) or uint8
            HxWx3 RGB.
        rule (LabelRule): A rule with ``colours`` or ``index_coded``.
        path (str): The file, named in errors.

    Returns:
        np.ndarray: uint8 HxW class indices, 255 where ignored.

    Raises:
        ValueError: If the label fits the rule nowhere near (values or
            colours outside it), naming the file and what it holds.
    """
    if array.ndim == 3 and (array[..., 0] == array[..., 1]).all() and (
            array[..., 1] == array[..., 2]).all():
        array = array[..., 0]
    if array.ndim == 2:
        if not rule.index_coded:
            raise ValueError(
                f'label {path} is grey (values '
                f'{np.unique(array)[:8].tolist()}); this rule reads colours '
                f'{sorted(rule.colours)}')
        return _decode_indices(array, rule, path)
    if rule.colours is None:
        raise ValueError(f'label {path} is coloured; this rule reads class '
                         f'indices 0-{len(rule.classes) - 1}')
    return _decode_colours(array, rule.colours, path)


def _decode_indices(values: np.ndarray, rule: LabelRule,
                    path: str) -> np.ndarray:
    found = np.unique(values)
    valid = (found < len(rule.classes)) | (found == IGNORE_INDEX)
    if not valid.all() or set(found.tolist()) == {0, IGNORE_INDEX}:
        raise ValueError(
            f'label {path} holds values {found[:8].tolist()}; index-coded '
            f'labels of this rule hold 0-{len(rule.classes) - 1} '
            f'({", ".join(rule.classes)}) and {IGNORE_INDEX} (ignored); a '
            '0/255 map is a binary vessel label')
    return values.astype(np.uint8)


def _decode_colours(rgb: np.ndarray, table: Dict[Colour, int],
                    path: str) -> np.ndarray:
    table_rgb = np.array(list(table), dtype=np.int16)
    table_class = np.array(list(table.values()), dtype=np.uint8)
    colours, inverse, counts = np.unique(
        rgb.reshape(-1, 3), axis=0, return_inverse=True, return_counts=True)
    distance = np.abs(colours[:, None, :].astype(np.int16) -
                      table_rgb[None]).max(axis=2)
    nearest = distance.argmin(axis=1)
    stray = distance.min(axis=1) > COLOUR_TOLERANCE
    labelled = counts[colours.any(axis=1)].sum()
    if counts[stray].sum() > NON_BINARY_TOLERANCE * max(labelled, 1):
        raise ValueError(
            f'label {path} has colours that fit no class of its colour table '
            f'({_show_colours(colours[stray], counts[stray])}; table: '
            f'{table}); colours found: {_show_colours(colours, counts)}')
    classes = np.where(stray, IGNORE_INDEX, table_class[nearest])
    return classes.astype(np.uint8)[inverse.reshape(-1)].reshape(
        rgb.shape[:2])


def check_rule_classes(rule_name: str, classes: Sequence[str],
                       where: str) -> None:
    """Raise unless rule ``rule_name`` decodes into ``classes``."""
    rule = get_label_rule(rule_name)
    if tuple(rule.classes) != tuple(classes):
        raise ValueError(
            f'{where} is decoded by label rule {rule_name!r} into classes '
            f'{rule.classes}, but the dataset has classes {tuple(classes)}')
