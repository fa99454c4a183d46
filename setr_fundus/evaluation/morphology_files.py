"""Files of the vessel-morphology tool: mask folders and data-set labels in,
feature CSVs and pictures out (tools/analysis_tools/vessel_morphology.py)."""
import csv
import math
import os
import os.path as osp
from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

import cv2
import numpy as np
from scipy.ndimage import grey_dilation

from ..datasets import FundusVesselDataset
from ..datasets.fov_geometry import derive_fov
from ..datasets.fundus_io import read_fov, read_image, read_label
from .vessel_morphology import MorphologyAnalysis, VesselMorphology

MASK_EXTENSIONS = ('.png', '.gif', '.tif', '.tiff', '.jpg', '.jpeg', '.bmp',
                   '.ppm', '.pgm')
# colour scale of the pictures: vessel width in normalised pixels
WIDTH_RANGE = (1.0, 12.0)


class MaskFiles(NamedTuple):
    """The files of one image to measure.

    Args:
        image (str): Image name (file stem without a ``_mask`` suffix), the
            CSV's ``image`` column.
        mask_path (str): Binary vessel mask (or manual label).
        fov_path (str, optional): FOV mask; None derives it from
            ``img_path``, or assumes one without either.
        img_path (str, optional): The photograph, for deriving the FOV.
    """
    image: str
    mask_path: str
    fov_path: Optional[str] = None
    img_path: Optional[str] = None


def image_name(path: str) -> str:
    """The name an image goes by in every folder: the file name up to its
    first dot, without a trailing ``_mask`` (``01_test.png``,
    ``01_test_mask.png`` and ``01_test_mask.gif`` are all ``01_test``)."""
    stem = osp.basename(path).split('.')[0]
    return stem[:-len('_mask')] if stem.endswith('_mask') else stem


def _images_by_name(folder: str, kind: str) -> Dict[str, str]:
    """Map :func:`image_name` -> path for the image files of ``folder``."""
    if not osp.isdir(folder):
        raise FileNotFoundError(f'{kind} folder not found: {folder}')
    found: Dict[str, str] = {}
    for entry in sorted(os.listdir(folder)):
        if not entry.lower().endswith(MASK_EXTENSIONS):
            continue
        name, path = image_name(entry), osp.join(folder, entry)
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
        mask_dir (str): Binary masks: ``tools/test.py --out``'s
            ``<stem>.png``, ``tools/infer.py``'s ``<stem>_mask.png`` (its
            other pictures there are skipped: where a folder holds
            ``*_mask`` files, only those are read) or labels.
        fov_dir (str, optional): FOV masks matched by :func:`image_name`
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
        for name, path in masks.items()
        if osp.basename(path).split('.')[0].endswith('_mask')
    }
    masks = suffixed or masks
    if not masks:
        raise FileNotFoundError(
            f'no mask files ({", ".join(MASK_EXTENSIONS)}) in {mask_dir}')
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
        list[MaskFiles]: One per image, named by the photograph's stem; the
        FOV from the set's mask file, else derived from the photograph.
    """
    dataset = FundusVesselDataset(
        data_root=data_root, split=split, annotator=annotator)
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    return [
        MaskFiles(
            image_name(info['img_path']), info['seg_map_path'],
            info['fov_path'], info['img_path']) for info in infos
    ]


def load_mask_files(
        files: MaskFiles) -> Tuple[np.ndarray, Optional[np.ndarray]]:
    """Decode a mask and its FOV.

    Args:
        files (MaskFiles): The files.

    Returns:
        tuple: uint8 HxW vessel mask in {0, 1} (vessel above half the
        file's maximum: > 127 for 0/255 files) and the uint8 FOV mask, or
        None where there is neither FOV file nor photograph.

    Raises:
        ValueError: If a file is not binary or the sizes differ.
    """
    vessel = read_label(files.mask_path)
    if files.fov_path is not None:
        fov, source = read_fov(files.fov_path), files.fov_path
    elif files.img_path is not None:
        fov, source = derive_fov(read_image(files.img_path)), files.img_path
    else:
        return vessel, None
    if fov.shape != vessel.shape:
        raise ValueError(f'mask {files.mask_path} has size {vessel.shape} '
                         f'(HxW) but {source} has size {fov.shape}; expected '
                         'the FOV at the mask\'s resolution')
    return vessel, fov


def measure_files(files: Sequence[MaskFiles],
                  morphology: VesselMorphology,
                  show_dir: Optional[str] = None) -> List[Dict[str, float]]:
    """Measure the masks of ``files``, optionally drawing each.

    Args:
        files (Sequence[MaskFiles]): What :func:`list_mask_folder` or
            :func:`list_dataset_labels` lists.
        morphology (VesselMorphology): The measurement.
        show_dir (str, optional): Write :func:`draw_morphology`'s picture
            of each image there as ``<image>.png``. Defaults to None.

    Returns:
        list[dict]: Per image, ``image`` and ``morphology.columns``.
    """
    if show_dir is not None:
        os.makedirs(show_dir, exist_ok=True)
    rows = []
    for item in files:
        vessel, fov = load_mask_files(item)
        analysis = morphology.analyse(vessel, fov, name=item.mask_path)
        rows.append(dict(image=item.image, **analysis.features))
        if show_dir is not None:
            path = osp.join(show_dir, f'{item.image}.png')
            if not cv2.imwrite(path, draw_morphology(analysis)):
                raise OSError(f'cannot write {path}')
    return rows


def write_feature_csv(rows: Iterable[Dict[str, float]], columns: Sequence[str],
                      path: str) -> None:
    """Write one row per image: ``image`` and the feature columns.

    Counts are written as integers, other numbers with 6 significant
    digits, NaN (undefined, e.g. no segment long enough) as an empty cell.

    Args:
        rows (Iterable[dict]): ``image`` and feature values.
        columns (Sequence[str]): Feature columns after ``image``.
        path (str): The CSV file (its folder is created).
    """

    def cell(value):
        if isinstance(value, str):
            return value
        if math.isnan(value):
            return ''
        if float(value).is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f'{value:.6g}'

    if osp.dirname(path):
        os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['image', *columns])
        for row in rows:
            writer.writerow([row['image'], *(cell(row[c]) for c in columns)])


def draw_morphology(analysis: MorphologyAnalysis) -> np.ndarray:
    """Picture of a measured mask in its normalised frame.

    Vessels grey on the dark FOV, the centreline coloured by vessel width
    (turbo colour scale over ``WIDTH_RANGE`` normalised pixels, shown in a
    bar below), branch points as red discs and end points as cyan rings.

    Args:
        analysis (MorphologyAnalysis): The result of
            :meth:`~setr_fundus.evaluation.VesselMorphology.analyse`.

    Returns:
        np.ndarray: uint8 BGR picture, ``D + 40`` rows by ``D`` columns.
    """
    side = analysis.vessel.shape[1]
    low, high = WIDTH_RANGE
    picture = np.zeros((side, side, 3), np.uint8)
    picture[analysis.fov] = 35
    picture[analysis.vessel] = 95
    width = grey_dilation(analysis.width, size=(3, 3))
    line = width > 0
    level = np.clip((width - low) / (high - low), 0, 1)
    colours = cv2.applyColorMap((level * 255).astype(np.uint8),
                                cv2.COLORMAP_TURBO)
    picture[line] = colours[line]
    for row, col in np.round(analysis.branch_points).astype(int):
        cv2.circle(picture, (col, row), 3, (0, 0, 255), -1, cv2.LINE_AA)
    for row, col in np.round(analysis.end_points).astype(int):
        cv2.circle(picture, (col, row), 3, (255, 255, 0), 1, cv2.LINE_AA)
    bar = np.zeros((40, side, 3), np.uint8)
    ramp = np.linspace(0, 255, side // 2).astype(np.uint8)[None]
    bar[4:16, side // 4:side // 4 + ramp.shape[1]] = cv2.applyColorMap(
        np.repeat(ramp, 12, axis=0), cv2.COLORMAP_TURBO)
    font, white = cv2.FONT_HERSHEY_SIMPLEX, (255, 255, 255)
    cv2.putText(bar, f'{low:g} px', (side // 4 - 40, 15), font, 0.4, white)
    cv2.putText(bar, f'{high:g} px width', (3 * side // 4 + 4, 15), font, 0.4,
                white)
    cv2.putText(bar, 'red: branch point   cyan: end point', (side // 4, 34),
                font, 0.4, white)
    return np.concatenate([picture, bar])
