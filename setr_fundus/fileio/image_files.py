"""Which files are images, and the stem a file goes by: one rule for the
datasets, ``tools/infer.py``, ``tools/test.py --out`` and the morphology
tool.

Every image suffix is also read ``.gz``-compressed (STARE ships
``im0001.ppm.gz``), in any letter case.
"""
import os.path as osp
import re

#: Suffixes of the image files read anywhere in setr_fundus.
IMAGE_SUFFIXES = ('.bmp', '.gif', '.jpeg', '.jpg', '.pbm', '.pgm', '.png',
                  '.ppm', '.tif', '.tiff')
#: Regex of an image suffix (with an optional ``.gz``), for file patterns.
IMAGE_SUFFIX_PATTERN = (
    r'(?:' + '|'.join(re.escape(s) for s in IMAGE_SUFFIXES) + r')(?:\.gz)?')


def _without_gz(name: str) -> str:
    return name[:-3] if name.lower().endswith('.gz') else name


def is_image_file(path: str) -> bool:
    """Whether ``path`` ends with an image suffix (optionally ``.gz``).

    Args:
        path (str): File name or path.

    Returns:
        bool: True for ``IMAGE_SUFFIXES`` and their ``.gz`` versions, in any
        letter case.
    """
    return _without_gz(path).lower().endswith(IMAGE_SUFFIXES)


def file_stem(path: str) -> str:
    """The name of ``path`` without its folder, ``.gz`` and last suffix
    (``a/01_test.tif`` -> ``01_test``, ``im0001.ah.ppm.gz`` ->
    ``im0001.ah``).

    Args:
        path (str): File name or path.

    Returns:
        str: The stem.
    """
    return osp.splitext(_without_gz(osp.basename(path)))[0]
