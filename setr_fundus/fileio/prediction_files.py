"""The files a prediction leaves: one naming rule and atomic writers, shared
by ``tools/infer.py`` (through
:mod:`setr_fundus.visualization.prediction_writer`) and ``tools/test.py
--out`` (:class:`~setr_fundus.evaluation.VesselMetric`).

For a photograph ``<dir>/<stem>.<ext>`` (:func:`file_stem`; ``.gz`` too)
the kinds of file are, all at the photograph's own size:

- ``mask``: ``<stem>_mask.png``, the vessel mask (every class but class 0,
  the background), 0/255 grey;
- ``prob``: ``<stem>_prob.png``, the vessel probability scaled to 0-255
  (two classes);
- ``classes``: ``<stem>_classes.png``, the class map as a palette PNG:
  pixel value = class index, colours = the data set's palette (more than
  two classes);
- ``prob_<class>``: ``<stem>_prob_<class>.png``, the probability of each
  class but the background scaled to 0-255, ``<class>`` its name in
  lower case with runs of other characters than letters and digits turned
  into ``_`` (more than two classes);
- ``overlay``: ``<stem>_overlay.png``, the classes drawn on the photograph;
- ``npy``: ``<stem>_prob.npy``, float32 probabilities: the vessel's (HxW)
  for two classes, every class's (CxHxW) for more.

Every file is written to a hidden temporary file in the output folder and
renamed over its name once complete, so an interrupted run never leaves a
half-written output under an output name.
"""
import os
import os.path as osp
import re
import uuid
from collections import Counter
from contextlib import contextmanager
from typing import BinaryIO, Dict, Iterable, Iterator, List, Sequence

import cv2
import numpy as np
from PIL import Image

from .image_files import file_stem


def class_kind(name: str) -> str:
    """The kind (``prob_<class>``) of a class's probability file.

    Args:
        name (str): Class name as in ``dataset_meta['classes']``.

    Returns:
        str: ``'prob_'`` + the name in lower case, runs of characters other
        than letters and digits replaced by ``_`` (``'Artery'`` ->
        ``'prob_artery'``).

    Raises:
        ValueError: The name has no letter or digit.
    """
    safe = re.sub(r'[^0-9a-z]+', '_', name.lower()).strip('_')
    if not safe:
        raise ValueError(f'class name {name!r} gives no file name; name '
                         'classes with letters or digits')
    return f'prob_{safe}'


def prediction_kinds(classes: Sequence[str],
                     save_npy: bool = False) -> List[str]:
    """The kinds of file written for a model of these classes.

    Args:
        classes (Sequence[str]): Class names, background first.
        save_npy (bool): Add the float32 probabilities. Defaults to False.

    Returns:
        list[str]: ``mask, prob, overlay`` for two classes; ``mask,
        classes, prob_<class>`` per class but the background, ``overlay``
        for more; then ``npy`` with ``save_npy``.

    Raises:
        ValueError: Fewer than two classes, or two class names give the
            same file name.
    """
    if len(classes) < 2:
        raise ValueError(f'a prediction needs at least 2 classes, got '
                         f'{list(classes)}')
    if len(classes) == 2:
        kinds = ['mask', 'prob', 'overlay']
    else:
        per_class = [class_kind(name) for name in classes[1:]]
        clashes = [k for k, n in Counter(per_class).items() if n > 1]
        if clashes:
            raise ValueError(f'classes {list(classes)} give the same file '
                             f'names {clashes}; rename them in dataset_meta')
        kinds = ['mask', 'classes', *per_class, 'overlay']
    return kinds + ['npy'] if save_npy else kinds


def prediction_paths(out_dir: str, stem: str,
                     kinds: Iterable[str]) -> Dict[str, str]:
    """The file of each kind for one photograph.

    Args:
        out_dir (str): Output folder.
        stem (str): Output name stem (:func:`unique_stems`).
        kinds (Iterable[str]): Kinds, as :func:`prediction_kinds` gives.

    Returns:
        dict[str, str]: Path per kind: ``<stem>_prob.npy`` for ``npy``,
        ``<stem>_<kind>.png`` for the others.
    """
    return {
        kind: osp.join(out_dir,
                       stem + ('_prob.npy' if kind == 'npy' else
                               f'_{kind}.png'))
        for kind in kinds
    }


def unique_stems(paths: Sequence[str]) -> Dict[str, str]:
    """Output stem per input: :func:`file_stem`, or, where two inputs share
    it (``a.png``, ``a.tif``), their whole names with dots turned into
    underscores (``a_png``, ``a_tif``).

    Args:
        paths (Sequence[str]): Input paths.

    Returns:
        dict[str, str]: Stem per path.
    """
    counts = Counter(file_stem(p) for p in paths)
    return {
        p: file_stem(p) if counts[file_stem(p)] == 1 else
        osp.basename(p).replace('.', '_')
        for p in paths
    }


@contextmanager
def atomic_file(path: str) -> Iterator[BinaryIO]:
    """A binary file that appears at ``path`` only once fully written.

    The content goes to a hidden temporary file in the same folder (created
    if missing), which is flushed to disk and renamed over ``path`` when the
    block ends; if the block raises, the temporary file is removed and
    ``path`` is left as it was.

    Args:
        path (str): Final file name.

    Yields:
        BinaryIO: The temporary file, open for writing.

    Raises:
        OSError: The file cannot be written (``path`` named).
    """
    folder, name = osp.split(path)
    temporary = osp.join(folder, f'.{name}.{uuid.uuid4().hex[:8]}.tmp')
    try:
        os.makedirs(folder or '.', exist_ok=True)
        with open(temporary, 'xb') as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException as err:
        if osp.exists(temporary):
            os.remove(temporary)
        if isinstance(err, OSError):
            raise OSError(f'cannot write {path}: {err}') from err
        raise


def write_png(path: str, image: np.ndarray) -> None:
    """Write a PNG encoded by OpenCV, atomically (:func:`atomic_file`).

    Args:
        path (str): Output file.
        image (np.ndarray): uint8 HxW grey or HxWx3 BGR image.

    Raises:
        OSError: The file cannot be encoded or written (named).
    """
    ok, encoded = cv2.imencode('.png', image)
    if not ok:
        raise OSError(f'cannot encode {path} from a {image.dtype} array of '
                      f'shape {image.shape}')
    with atomic_file(path) as f:
        f.write(encoded.tobytes())


def write_palette_png(path: str, class_map: np.ndarray,
                      palette: Sequence[Sequence[int]]) -> None:
    """Write a class map as a palette PNG (PIL), atomically.

    Args:
        path (str): Output file.
        class_map (np.ndarray): HxW class indices, 0 to 255.
        palette (Sequence[Sequence[int]]): RGB colour per class index.

    Raises:
        OSError: The file cannot be written (named).
    """
    pil = Image.fromarray(class_map.astype(np.uint8))
    pil.putpalette([int(c) for colour in palette for c in colour[:3]])
    with atomic_file(path) as f:
        pil.save(f, format='PNG')


def write_mask(path: str, class_map: np.ndarray) -> None:
    """Write the vessel mask of a class map: 255 where the class is not 0
    (the background), else 0.

    Args:
        path (str): Output file.
        class_map (np.ndarray): HxW class indices (or a bool mask).
    """
    write_png(path, (class_map > 0).astype(np.uint8) * 255)


def write_probability(path: str, prob: np.ndarray) -> None:
    """Write a probability map scaled to 0-255 (rounded) as a grey PNG.

    Args:
        path (str): Output file.
        prob (np.ndarray): HxW float probabilities (clipped to [0, 1]).
    """
    write_png(path, np.round(np.clip(prob, 0, 1) * 255).astype(np.uint8))


def write_npy(path: str, array: np.ndarray) -> None:
    """Save an array as float32 ``.npy`` atomically.

    Args:
        path (str): Output file.
        array (np.ndarray): The array.
    """
    with atomic_file(path) as f:
        np.save(f, array.astype(np.float32))
