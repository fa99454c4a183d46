"""What a file layout is, the layout registry and file-matching helpers.

A layout is a :class:`FundusLayout` subclass in its own module, registered
with ``@FUNDUS_LAYOUTS.register_module()`` and imported by this package's
``__init__``. It lists the samples of a part ('train' or 'test') as dicts
``{'img': path, 'fov': path or None, <map>: path, ...}``, one key per map
of :attr:`FundusLayout.maps` (e.g. ``vessel``, ``av``).
"""
import os
import os.path as osp
import re
from typing import Callable, Dict, List, Optional

from mmengine.registry import Registry

#: Files of one sample: 'img', 'fov' (None: derived) and one per map.
SampleFiles = Dict[str, Optional[str]]
#: The file layouts, by name.
FUNDUS_LAYOUTS = Registry('fundus file layout')


class FundusLayout:
    """A file layout of a retinal-vessel set.

    Subclasses set the class attributes and implement :meth:`detect` and
    :meth:`list_part`.

    Attributes:
        expects (str): The files it expects, shown when detection fails.
        annotators (int): Observers whose labels it holds.
        maps (dict): Map name -> name of the label rule decoding it.
        generic (bool): Detected only where no other layout matches (the
            plain folder layout).
    """
    expects: str = ''
    annotators: int = 1
    maps: Dict[str, str] = dict(vessel='binary')
    generic: bool = False

    def detect(self, root: str) -> bool:
        """Whether ``root`` holds this layout."""
        raise NotImplementedError

    def list_part(self, root: str, part: str,
                  annotator: int) -> List[SampleFiles]:
        """The samples of ``part`` ('train', 'test'; 'val' where
        :meth:`has_own_val`), in listing order."""
        raise NotImplementedError

    def has_own_val(self, root: str) -> bool:
        """Whether ``root`` has a validation part of its own."""
        return False


def scan(directory: str,
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


def pair(layout: str, images: Dict[str, str], labels: Dict[str, str],
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


def require_dir(layout: str, path: str, what: str) -> str:
    """``path``, or ``FileNotFoundError`` naming it when not a folder."""
    if not osp.isdir(path):
        raise FileNotFoundError(f'{layout}: {what} folder {path} not found')
    return path


def take(keys: List[str], num_train: int, part: str) -> List[str]:
    """The first ``num_train`` keys for 'train', the rest otherwise."""
    return keys[:num_train] if part == 'train' else keys[num_train:]


def existing(path: str) -> Optional[str]:
    """``path`` if it is a file, else None."""
    return path if osp.isfile(path) else None


def any_file(root: str, pattern: str) -> bool:
    """Whether a file name below ``root`` matches ``pattern``."""
    regex = re.compile(pattern, re.IGNORECASE)
    return any(
        regex.fullmatch(name) for _, _, files in os.walk(root)
        for name in files)


def has_dirs(base: str, *names: str) -> bool:
    """Whether ``base`` holds all the folders ``names``."""
    return all(osp.isdir(osp.join(base, name)) for name in names)
