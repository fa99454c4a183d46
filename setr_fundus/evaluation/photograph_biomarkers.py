"""The optic disc, CRAE, CRVE, AVR and per-class features of one
photograph's artery/vein map, as one table row: what ``tools/infer.py``
adds for an artery/vein model and what
``tools/analysis_tools/artery_vein_biomarkers.py`` writes for manual
labels, by the same code (docs/artery_vein.md)."""
import math
from collections import OrderedDict
from typing import Dict, NamedTuple, Optional, Sequence, Tuple

import numpy as np

from .artery_vein_calibre import CLASSES, measure_artery_vein
from .optic_disc import OpticDisc, find_optic_disc
from .zone_b import DiscCircle

DISC_COLUMNS = ('disc_x', 'disc_y', 'disc_diameter', 'disc_confidence')
CLASS_FEATURES = ('density', 'fractal_dimension', 'tortuosity_distance',
                  'tortuosity_curvature', 'caliber_px', 'zone_b_vessels')
EQUIVALENT_COLUMNS = ('crae_px', 'crae_normalised', 'crae_um', 'crve_px',
                      'crve_normalised', 'crve_um', 'avr')
#: The columns of :attr:`PhotographBiomarkers.values`, in table order.
BIOMARKER_COLUMNS = DISC_COLUMNS + tuple(
    f'{name}_{feature}' for name in CLASSES
    for feature in CLASS_FEATURES) + EQUIVALENT_COLUMNS
#: Class names (lower case) whose pixels count as both artery and vein.
SHARED_CLASS_WORDS = ('crossing', 'uncertain')


class PhotographBiomarkers(NamedTuple):
    """The biomarkers of one photograph.

    Args:
        values (dict): Column of :data:`BIOMARKER_COLUMNS` -> float, NaN
            where empty.
        reasons (dict): Column -> why it is empty, for each NaN value.
        disc (OpticDisc): What the disc search found (``found`` False: the
            best guess and the reason).
    """
    values: Dict[str, float]
    reasons: Dict[str, str]
    disc: OpticDisc

    def zone_b_disc(self) -> Optional[DiscCircle]:
        """The disc circle zone B was drawn around (None if not found)."""
        return disc_circle(self.disc)

    def reason_text(self) -> str:
        """The reasons as one text: ``'col1, col2: why; col3: why'``."""
        columns: Dict[str, list] = OrderedDict()
        for column, why in self.reasons.items():
            columns.setdefault(why, []).append(column)
        return '; '.join(f'{", ".join(cols)}: {why}'
                         for why, cols in columns.items())


def disc_circle(disc: OpticDisc) -> Optional[DiscCircle]:
    """The found disc as the circle zone B is drawn around, else None."""
    return DiscCircle(disc.cx, disc.cy, disc.diameter / 2) if disc.found \
        else None


def artery_vein_classes(classes: Sequence[str]
                        ) -> Optional[Tuple[int, int, Tuple[int, ...]]]:
    """The class indices of artery, vein and the classes counting for both.

    Args:
        classes (Sequence[str]): ``dataset_meta['classes']``.

    Returns:
        tuple or None: ``(artery, vein, shared)`` indices, or None when the
        classes do not name both ``artery`` and ``vein`` (a vessel model).
    """
    names = [str(name).lower() for name in classes]
    if 'artery' not in names or 'vein' not in names:
        return None
    shared = tuple(i for i, name in enumerate(names)
                   if any(word in name for word in SHARED_CLASS_WORDS))
    return names.index('artery'), names.index('vein'), shared


def measure_photograph(img: np.ndarray,
                       fov_mask: np.ndarray,
                       class_map: np.ndarray,
                       classes: Sequence[str],
                       probs: Optional[np.ndarray] = None,
                       um_per_px: Optional[float] = None,
                       field_angle: Optional[float] = None,
                       name: Optional[str] = None) -> PhotographBiomarkers:
    """Find the optic disc and measure CRAE, CRVE, AVR and the per-class
    features of one photograph at its own resolution.

    The disc is searched with the vessels (every class but the background)
    as the vessel map (:func:`~setr_fundus.evaluation.find_optic_disc`);
    the widths are read on the class probabilities where given (artery:
    artery plus shared classes), else on the masks
    (:func:`~setr_fundus.evaluation.measure_artery_vein`).

    Args:
        img (np.ndarray): uint8 HxWx3 BGR photograph.
        fov_mask (np.ndarray): HxW FOV mask, > 0 inside.
        class_map (np.ndarray): HxW class indices of ``classes``.
        classes (Sequence[str]): Class names, naming ``artery`` and
            ``vein``; names with 'crossing' or 'uncertain' count for both.
        probs (np.ndarray, optional): CxHxW class probabilities.
        um_per_px (float, optional): Micrometres per pixel.
        field_angle (float, optional): Camera field angle (degrees across
            the FOV), instead of ``um_per_px``.
        name (str, optional): The photograph, named in messages.

    Returns:
        PhotographBiomarkers: Values, reasons and the disc.

    Raises:
        ValueError: The classes do not name artery and vein, or the shapes
            differ.
    """
    indices = artery_vein_classes(classes)
    if indices is None:
        raise ValueError(f'measure_photograph needs artery and vein '
                         f'classes, got {list(classes)}')
    artery, vein, shared = indices
    class_map = np.asarray(class_map)
    canonical = np.zeros(class_map.shape, np.uint8)
    canonical[class_map == artery] = CLASSES['artery']
    canonical[class_map == vein] = CLASSES['vein']
    canonical[np.isin(class_map, shared)] = 3
    probabilities = None
    if probs is not None:
        both = probs[list(shared)].sum(0) if shared else 0.0
        probabilities = {
            CLASSES['artery']: probs[artery] + both,
            CLASSES['vein']: probs[vein] + both
        }
    disc = find_optic_disc(img, fov_mask, canonical > 0, name=name)
    record = measure_artery_vein(
        canonical,
        disc_circle(disc),
        fov_diameter_px=disc.fov.diameter,
        fov=fov_mask,
        probabilities=probabilities,
        um_per_px=um_per_px,
        field_angle=field_angle,
        no_disc_reason=f'optic disc not found ({disc.reason})')
    values = OrderedDict(
        zip(DISC_COLUMNS, (disc.cx, disc.cy, disc.diameter, disc.confidence)
            ) if disc.found else ((c, float('nan')) for c in DISC_COLUMNS))
    reasons = OrderedDict() if disc.found else OrderedDict(
        (c, f'optic disc not found ({disc.reason})') for c in DISC_COLUMNS)
    values.update((c, record.values[c]) for c in BIOMARKER_COLUMNS
                  if c not in DISC_COLUMNS)
    reasons.update((c, record.reasons[c]) for c in BIOMARKER_COLUMNS
                   if c in record.reasons)
    for column, value in values.items():
        if not math.isfinite(value) and column not in reasons:
            reasons[column] = 'not measurable'
    return PhotographBiomarkers(values, reasons, disc)
