"""The files the vessel-morphology tool measures: mask folders paired with
their FOV masks or photographs, or a data set's manual labels
(tools/analysis_tools/vessel_morphology.py)."""
import os
import os.path as osp
from typing import Dict, List, NamedTuple, Optional

from ..datasets import FundusVesselDataset
from ..fileio import IMAGE_SUFFIXES, file_stem, is_image_file

_MASK_SUFFIX = '_mask'


class MaskFiles(NamedTuple):
    """The files of one image to measure.

    Args:
        image (str): Image name (:func:`paired_name`), the CSV's ``image``
            column.
        mask_path (str): Binary vessel mask (or manual label).
        fov_path (str, optional): FOV mask; None derives it from
            ``img_path``, or assumes one without either.
        img_path (str, optional): The photograph, for deriving the FOV.
    """
    image: str
    mask_path: str
    fov_path: Optional[str] = None
    img_path: Optional[str] = None


def _has_mask_suffix(path: str) -> bool:
    """Whether the stem of ``path`` ends with ``_mask``
    (``tools/infer.py``'s and DRIVE's FOV mask names).

    Args:
        path (str): File name or path.

    Returns:
        bool: True for ``01_test_mask.png``, False for ``01_test.png``.
    """
    return file_stem(path).endswith(_MASK_SUFFIX)


def paired_name(path: str) -> str:
    """The name that pairs a file with the other folders' files: its
    :func:`~setr_fundus.fileio.file_stem` without a trailing ``_mask``
    (``01_test.png``, ``01_test_mask.png`` and ``01_test_mask.gif`` are all
    ``01_test``).

    Args:
        path (str): File name or path.

    Returns:
        str: The name.
    """
    stem = file_stem(path)
    return stem[:-len(_MASK_SUFFIX)] if _has_mask_suffix(path) else stem


def _images_by_name(folder: str, kind: str) -> Dict[str, str]:
    """Map :func:`paired_name` -> path for the image files of ``folder``."""
    if not osp.isdir(folder):
        raise FileNotFoundError(f'{kind} folder not found: {folder}')
    found: Dict[str, str] = {}
    for entry in sorted(os.listdir(folder)):
        if not is_image_file(entry):
            continue
        name, path = paired_name(entry), osp.join(folder, entry)
        if name in found:
            raise ValueError(f'{kind} folder {folder} holds two files for '
                             f'image {name!r}: {found[name]} and {path}')
        found[name] = path
    return found


def list_mask_folder(mask_dir: str,
                     fov_dir: Optional[str] = None,
                     img_dir: Optional[str] = None) -> List[MaskFiles]:
    """Pair the masks of a folder with their FOV masks (or photographs).

    Args:
        mask_dir (str): Binary masks: ``tools/test.py --out``'s and
            ``tools/infer.py``'s ``<stem>_mask.png`` (infer's other pictures
            there are skipped: where a folder holds ``*_mask`` files, only
            those are read) or labels.
        fov_dir (str, optional): FOV masks matched by :func:`paired_name`
            (DRIVE's ``01_test_mask.gif`` serves ``01_test.png``).
        img_dir (str, optional): Photographs matched alike, whose FOV is
            derived by thresholding where there is no ``fov_dir``.

    Returns:
        list[MaskFiles]: One per mask, sorted by name.

    Raises:
        FileNotFoundError: If a folder is missing, ``mask_dir`` holds no
            image file, or a mask has no FOV mask (photograph) partner.
    """
    masks = _images_by_name(mask_dir, 'mask')
    # tools/infer.py writes <stem>_prob.png and <stem>_overlay.png beside
    # <stem>_mask.png: where there are _mask files, only they are masks
    suffixed = {
        name: path
        for name, path in masks.items() if _has_mask_suffix(path)
    }
    masks = suffixed or masks
    if not masks:
        raise FileNotFoundError(
            f'no mask files ({", ".join(IMAGE_SUFFIXES)}, optionally .gz) '
            f'in {mask_dir}')
    partners = {}
    for key, folder, kind in (('fov_path', fov_dir, 'FOV mask'),
                              ('img_path', img_dir, 'photograph')):
        if folder is None:
            continue
        files = _images_by_name(folder, kind)
        missing = sorted(set(masks) - set(files))
        if missing:
            raise FileNotFoundError(
                f'no {kind} in {folder} for mask {masks[missing[0]]} ('
                f'{len(missing)} mask(s) without one): expected '
                f'{missing[0]}.<ext> or {missing[0]}_mask.<ext>')
        partners[key] = files
    return [
        MaskFiles(name, path,
                  partners.get('fov_path', {}).get(name),
                  partners.get('img_path', {}).get(name))
        for name, path in masks.items()
    ]


def list_dataset_labels(data_root: str,
                        split: str = 'test',
                        annotator: int = 1) -> List[MaskFiles]:
    """The manual labels of a data set's split, with their FOV masks.

    Args:
        data_root (str): Any layout ``FundusVesselDataset`` reads.
        split (str): 'train', 'val' (the images held out of the training
            part) or 'test'. Defaults to 'test'.
        annotator (int): Observer (1 or 2) where the set has two.
            Defaults to 1.

    Returns:
        list[MaskFiles]: One per image, named by the photograph's
        :func:`~setr_fundus.fileio.file_stem`; the FOV from the set's mask
        file, else derived from the photograph.
    """
    dataset = FundusVesselDataset(
        data_root=data_root, split=split, annotator=annotator)
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    return [
        MaskFiles(
            file_stem(info['img_path']), info['seg_map_path'],
            info['fov_path'], info['img_path']) for info in infos
    ]
