"""File layouts of the public retinal-vessel sets, as their archives unpack.

Each layout lists ``(image, label, fov_mask_or_None)`` file triples of its
training part or its test part. The parts follow mmsegmentation's dataset
converters, so that test figures are comparable with published ones:

- ``drive``: ``training/`` and ``test/``, 20/20.
- ``chase_db1``: images sorted by name, first 20 train, the rest (8) test.
- ``stare``: images sorted by name, first 10 train, the rest (10) test.
- ``hrf``: per category (dr, g, h) the first 5 train, the rest test; the
  training part is listed by number, then category (01_dr, 01_g, 01_h,
  02_dr, ...).
- ``folder``: ``images/`` + ``labels/`` (+ ``masks/``) matched by file stem,
  under ``data_root/train/`` and ``data_root/test/`` when those exist (an
  optional ``data_root/val/`` is a validation part of its own), else
  directly under ``data_root`` for both parts.

The public sets have no validation part:
:func:`setr_fundus.datasets.holdout.holdout_split` takes the validation
images out of the *training* part (the last ones in the listing order
above), so that choosing a checkpoint never looks at test images.

A missing partner file (image without label or label without image) raises
``FileNotFoundError`` naming the file and the expected partner.
"""
import os
import os.path as osp
import re
from typing import Callable, Dict, List, NamedTuple, Optional, Tuple

SampleFiles = Tuple[str, str, Optional[str]]
SPLITS = ('train', 'val', 'test')
CHASE_DB1_TRAIN = 20
STARE_TRAIN = 10
HRF_TRAIN_PER_CATEGORY = 5
_IMAGE_EXT = r'\.(?:png|jpe?g|tiff?|gif|p[bgp]m|bmp)(?:\.gz)?'
_CHASE_IMAGE = r'(Image_\d+[LR])\.jpe?g'
_STARE_IMAGE = r'(im\d+)\.ppm(?:\.gz)?'


def _scan(directory: str,
          pattern: str,
          recursive: bool = False) -> Dict[str, str]:
    """Map the first regex group of matching file names to their paths.

    Where the same key appears as ``x`` and ``x.gz`` the uncompressed file
    wins; any other duplicate key raises ``ValueError`` naming both files.
    """
    regex = re.compile(pattern, re.IGNORECASE)
    found: Dict[str, str] = {}
    if recursive:
        walk = ((d, sorted(fs)) for d, _, fs in sorted(os.walk(directory)))
    else:
        walk = iter([(directory, sorted(os.listdir(directory)))])
    for folder, files in walk:
        for name in files:
            match = regex.fullmatch(name)
            if match is None:
                continue
            key, path = match.group(1), osp.join(folder, name)
            other = found.get(key)
            if other is not None:
                other_gz = other.lower().endswith('.gz')
                if other_gz == path.lower().endswith('.gz'):
                    raise ValueError(f'{other} and {path} are both the file '
                                     f'for {key!r}; keep only one')
                if not other_gz:
                    continue
            found[key] = path
    return found


def _pair(layout: str, images: Dict[str, str], labels: Dict[str, str],
          expected_label: Callable[[str], str],
          expected_image: Callable[[str], str]) -> List[str]:
    """Sorted keys present in both; raise naming any unpaired file."""
    for key in sorted(images):
        if key not in labels:
            raise FileNotFoundError(
                f'{layout}: image {images[key]} has no label '
                f'(expected {expected_label(key)})')
    for key in sorted(labels):
        if key not in images:
            raise FileNotFoundError(
                f'{layout}: label {labels[key]} has no image '
                f'(expected {expected_image(key)})')
    return sorted(images)


def _require_dir(layout: str, path: str, what: str) -> str:
    if not osp.isdir(path):
        raise FileNotFoundError(f'{layout}: {what} folder {path} not found')
    return path


def _take(keys: List[str], num_train: int, split: str) -> List[str]:
    """The first ``num_train`` keys for 'train', the rest otherwise."""
    return keys[:num_train] if split == 'train' else keys[num_train:]


def _existing(path: str) -> Optional[str]:
    return path if osp.isfile(path) else None


def _list_drive(root: str, split: str, annotator: int) -> List[SampleFiles]:
    part = 'training' if split == 'train' else 'test'
    manual = ('1st', '2nd')[annotator - 1] + '_manual'
    img_dir = _require_dir('DRIVE', osp.join(root, part, 'images'), 'image')
    label_dir = _require_dir('DRIVE', osp.join(root, part, manual),
                             f'label (annotator={annotator})')
    images = _scan(img_dir, r'(\d+)_(?:training|test)\.tiff?')
    labels = _scan(label_dir, rf'(\d+)_manual{annotator}\.gif')
    keys = _pair('DRIVE', images, labels,
                 lambda k: osp.join(label_dir, f'{k}_manual{annotator}.gif'),
                 lambda k: osp.join(img_dir, f'{k}_{part}.tif'))
    return [(images[k], labels[k],
             _existing(osp.join(root, part, 'mask', f'{k}_{part}_mask.gif')))
            for k in keys]


def _list_chase_db1(root: str, split: str,
                    annotator: int) -> List[SampleFiles]:
    tag = ('1stHO', '2ndHO')[annotator - 1]
    images = _scan(root, _CHASE_IMAGE, recursive=True)
    labels = _scan(root, rf'(Image_\d+[LR])_{tag}\.png', recursive=True)
    keys = _pair('CHASE_DB1', images, labels,
                 lambda k: osp.join(osp.dirname(images[k]), f'{k}_{tag}.png'),
                 lambda k: osp.join(osp.dirname(labels[k]), f'{k}.jpg'))
    return [(images[k], labels[k], None)
            for k in _take(keys, CHASE_DB1_TRAIN, split)]


def _list_stare(root: str, split: str, annotator: int) -> List[SampleFiles]:
    tag = ('ah', 'vk')[annotator - 1]
    images = _scan(root, _STARE_IMAGE, recursive=True)
    labels = _scan(root, rf'(im\d+)\.{tag}\.ppm(?:\.gz)?', recursive=True)
    keys = _pair('STARE', images, labels,
                 lambda k: f'{k}.{tag}.ppm[.gz] below {root}',
                 lambda k: f'{k}.ppm[.gz] below {root}')
    return [(images[k], labels[k], None)
            for k in _take(keys, STARE_TRAIN, split)]


def _list_hrf(root: str, split: str, annotator: int) -> List[SampleFiles]:
    img_dir = _require_dir('HRF', osp.join(root, 'images'), 'image')
    label_dir = _require_dir('HRF', osp.join(root, 'manual1'), 'label')
    images = _scan(img_dir, r'(\d+_(?:dr|g|h))\.jpe?g')
    labels = _scan(label_dir, r'(\d+_(?:dr|g|h))\.tiff?')
    keys = _pair('HRF', images, labels,
                 lambda k: osp.join(label_dir, f'{k}.tif'),
                 lambda k: osp.join(img_dir, f'{k}.jpg'))
    selected = []
    for category in ('dr', 'g', 'h'):
        in_category = [k for k in keys if k.lower().endswith('_' + category)]
        selected += _take(in_category, HRF_TRAIN_PER_CATEGORY, split)
    if split == 'train':  # by number, then category
        selected.sort(key=lambda k: (k.split('_')[0], k.split('_')[1].lower()))
    return [(images[k], labels[k],
             _existing(osp.join(root, 'mask', f'{k}_mask.tif')))
            for k in selected]


def folder_has_part(root: str, part: str) -> bool:
    """Whether a folder-layout ``root`` has a ``<part>/images/`` folder."""
    return osp.isdir(osp.join(root, part, 'images'))


def _folder_base(root: str, split: str) -> str:
    """``root/<split>`` when it holds ``images/``, else ``root``."""
    return osp.join(root, split) if folder_has_part(root, split) else root


def _list_folder(root: str, split: str, annotator: int) -> List[SampleFiles]:
    base = _folder_base(root, split)
    img_dir = _require_dir('folder', osp.join(base, 'images'), 'image')
    label_dir = _require_dir('folder', osp.join(base, 'labels'), 'label')
    images = _scan(img_dir, r'(.+?)' + _IMAGE_EXT)
    labels = _scan(label_dir, r'(.+?)' + _IMAGE_EXT)
    keys = _pair('folder', images, labels,
                 lambda k: osp.join(label_dir, f'{k}.<ext>'),
                 lambda k: osp.join(img_dir, f'{k}.<ext>'))
    masks: Dict[str, str] = {}
    mask_dir = osp.join(base, 'masks')
    if osp.isdir(mask_dir):
        masks = _scan(mask_dir, r'(.+?)(?:_mask)?' + _IMAGE_EXT)
    return [(images[k], labels[k], masks.get(k)) for k in keys]


def _any_file(root: str, pattern: str) -> bool:
    regex = re.compile(pattern, re.IGNORECASE)
    return any(
        regex.fullmatch(name) for _, _, files in os.walk(root)
        for name in files)


def _has_dirs(base: str, *names: str) -> bool:
    return all(osp.isdir(osp.join(base, name)) for name in names)


def _is_drive(root: str) -> bool:
    return any(
        _has_dirs(osp.join(root, part), 'images', '1st_manual')
        for part in ('training', 'test'))


def _is_folder(root: str) -> bool:
    bases = [root] + [osp.join(root, split) for split in SPLITS]
    return any(_has_dirs(base, 'images', 'labels') for base in bases)


class Layout(NamedTuple):
    """A file layout: what it expects, how to detect and list it."""
    expects: str
    detect: Callable[[str], bool]
    list_samples: Callable[[str, str, int], List[SampleFiles]]
    annotators: int


LAYOUTS: Dict[str, Layout] = dict(
    drive=Layout(
        'training/images/21_training.tif + training/1st_manual/'
        '21_manual1.gif (+ training/mask/21_training_mask.gif), and test/ '
        'likewise with 01_test.tif', _is_drive, _list_drive, 2),
    hrf=Layout('images/01_dr.JPG + manual1/01_dr.tif (+ mask/01_dr_mask.tif)',
               lambda root: _has_dirs(root, 'images', 'manual1'), _list_hrf,
               1),
    chase_db1=Layout(
        'Image_01L.jpg + Image_01L_1stHO.png (and _2ndHO.png) anywhere '
        'below data_root', lambda root: _any_file(root, _CHASE_IMAGE),
        _list_chase_db1, 2),
    stare=Layout(
        'im0001.ppm[.gz] + im0001.ah.ppm[.gz] (and .vk.ppm[.gz]) anywhere '
        'below data_root', lambda root: _any_file(root, _STARE_IMAGE),
        _list_stare, 2),
    folder=Layout(
        'images/ + labels/ (+ masks/) with matching file stems, optionally '
        'under train/, val/, test/', _is_folder, _list_folder, 1),
)


def detect_layout(data_root: str) -> str:
    """Name of the first layout (in ``LAYOUTS`` order) matching data_root.

    Args:
        data_root (str): Folder holding an unpacked set.

    Returns:
        str: A key of ``LAYOUTS``.

    Raises:
        FileNotFoundError: If ``data_root`` is not an existing folder.
        ValueError: If no layout matches; the message lists each layout
            tried and what it expects.
    """
    tried = '\n'.join(f'  {name}: {layout.expects}'
                      for name, layout in LAYOUTS.items())
    if not data_root or not osp.isdir(data_root):
        reason = 'is empty' if not data_root else 'is not a folder'
        raise FileNotFoundError(
            f'data_root {data_root!r} {reason}; set it to an unpacked set '
            f"(or use SyntheticFundusDataset). Layouts tried:\n{tried}")
    for name, layout in LAYOUTS.items():
        if layout.detect(data_root):
            return name
    entries = sorted(os.listdir(data_root))
    shown = ', '.join(entries[:10]) + (', ...' if len(entries) > 10 else '')
    raise ValueError(f'no known fundus layout found in data_root '
                     f'{data_root!r} (entries: {shown or "none"}). Layouts '
                     f'tried:\n{tried}')


def list_samples(layout: str, data_root: str, split: str,
                 annotator: int) -> List[SampleFiles]:
    """List the file triples of one part of a layout.

    Args:
        layout (str): A key of ``LAYOUTS``.
        data_root (str): Folder holding the unpacked set.
        split (str): 'train' or 'test', the part (see the module
            docstring); 'val' only for a folder with its own ``val/``.
        annotator (int): 1 or 2, the observer whose label to read.

    Returns:
        list[tuple]: ``(img_path, seg_map_path, fov_path or None)``.
    """
    if split not in SPLITS or (split == 'val' and not (
            layout == 'folder' and folder_has_part(data_root, 'val'))):
        raise ValueError(f'{layout}: no part {split!r} in {data_root}; the '
                         "parts are 'train' and 'test' (validation images "
                         'are held out of the training part)')
    spec = LAYOUTS[layout]
    if annotator > spec.annotators:
        raise ValueError(f'layout {layout!r} has {spec.annotators} '
                         f'annotator(s); annotator={annotator} is not '
                         'available')
    if not osp.isdir(data_root):
        raise FileNotFoundError(
            f'{layout}: data_root {data_root!r} is not a folder')
    samples = spec.list_samples(data_root, split, annotator)
    if not samples:
        raise ValueError(f'{layout}: no images for split {split!r} in '
                         f'{data_root}; expected {spec.expects}')
    return samples
