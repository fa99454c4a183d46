"""CRAE, CRVE and AVR (Knudtson 2003) and per-class morphology of an
artery/vein class map, at the map's own resolution (docs/calibre.md)."""
import math
from collections import OrderedDict
from typing import Dict, List, Mapping, NamedTuple, Optional, Sequence

import numpy as np

from .calibre_units import (NORMALISED_FOV_DIAMETER, micrometres_per_px,
                            normalised_px)
from .central_equivalents import (ARTERY_CONSTANT, NUM_WIDEST, VEIN_CONSTANT,
                                  CentralEquivalent, central_equivalent)
from .morphology_ops import box_counting_dimension
from .skeleton_graph import graph_features, pruned_skeleton
from .vessel_calibre import measure_segments
from .zone_b import DiscCircle, ZoneBVessel, zone_b_vessels

# class values of the map; crossing/uncertain pixels count for both
CLASSES = OrderedDict(artery=1, vein=2)
SHARED_VALUES = (3, )
# VesselMorphology's box sides (2 .. 64 on a 540 px FOV), scaled to the map
BOX_SIZES_NORMALISED = (2, 4, 8, 16, 32, 64)


class ArteryVeinRecord(NamedTuple):
    """What :func:`measure_artery_vein` found in one image.

    Args:
        values (dict): Name -> float, NaN where empty.
        reasons (dict): Name -> why, for each NaN value.
        vessels (dict): Class name -> the zone-B vessels found.
        equivalents (dict): ``'crae'``/``'crve'`` -> the Knudtson rounds.
    """
    values: Dict[str, float]
    reasons: Dict[str, str]
    vessels: Dict[str, List[ZoneBVessel]]
    equivalents: Dict[str, CentralEquivalent]


def class_mask(class_map: np.ndarray, value: int,
               shared_values: Sequence[int] = SHARED_VALUES) -> np.ndarray:
    """Bool mask of one class: its value and the shared values."""
    return np.isin(class_map, (value, ) + tuple(shared_values))


def class_morphology(mask: np.ndarray, fov: np.ndarray, scale: float,
                     widths: Sequence[float],
                     spur_length: float) -> Dict[str, float]:
    """Density, box-counting dimension, tortuosity and median segment
    calibre (px) of one class's mask; ``scale`` = FOV diameter / 540."""
    box_sizes = sorted({max(int(round(s * scale)), 1)
                        for s in BOX_SIZES_NORMALISED})
    _, graph = pruned_skeleton(mask, spur_length)
    features, _, _ = graph_features(graph, 10.0 * scale)
    finite = [w for w in widths if math.isfinite(w)]
    return OrderedDict(
        density=float((mask & fov).sum() / fov.sum()),
        fractal_dimension=box_counting_dimension(mask & fov, box_sizes),
        tortuosity_distance=features['tortuosity_distance'],
        tortuosity_curvature=features['tortuosity_curvature'],
        caliber_px=float(np.median(finite)) if finite else float('nan'))


def measure_artery_vein(class_map: np.ndarray,
                        disc: Optional[DiscCircle],
                        fov_diameter_px: Optional[float] = None,
                        fov: Optional[np.ndarray] = None,
                        probabilities: Optional[Mapping[int,
                                                        np.ndarray]] = None,
                        um_per_px: Optional[float] = None,
                        field_angle: Optional[float] = None,
                        spur_length: float = 10.0,
                        min_vessels: int = 2,
                        no_disc_reason: str = 'no optic disc given'
                        ) -> ArteryVeinRecord:
    """CRAE, CRVE, AVR and per-class morphology of one class map.

    Args:
        class_map (np.ndarray): HxW ints: 0 background, 1 artery, 2 vein,
            3 crossing/uncertain (counts for both); any other value for
            neither.
        disc (DiscCircle, optional): The optic disc in the map's pixels;
            None gives no zone-B vessels, CRAE, CRVE or AVR (reason
            ``no_disc_reason``) and the per-class morphology alone.
        fov_diameter_px (float, optional): FOV diameter in the map's pixels,
            for normalised units, the field-angle scale and the box sizes.
            Defaults to None: the map's width, and no normalised or
            field-angle values.
        fov (np.ndarray, optional): HxW FOV mask (> 0 inside) for the
            densities. Defaults to None: the whole map.
        probabilities (Mapping[int, np.ndarray], optional): Class value ->
            HxW probability in [0, 1]; where given the widths are read on it
            (its skeleton is that of ``>= 0.5``) instead of on the mask.
        um_per_px (float, optional): Micrometres per pixel of the map.
        field_angle (float, optional): Camera field angle in degrees, an
            alternative to ``um_per_px`` (needs ``fov_diameter_px``).
        spur_length (float): Skeleton spurs shorter than this are pruned
            (px). Defaults to 10.0.
        min_vessels (int): Fewer zone-B vessels give no CRAE/CRVE.
            Defaults to 2.
        no_disc_reason (str): The reason of the empty CRAE, CRVE and AVR
            without a disc. Defaults to 'no optic disc given'.

    Returns:
        ArteryVeinRecord: Values, reasons, vessels and Knudtson rounds.

    Raises:
        ValueError: If ``field_angle`` comes without ``fov_diameter_px``, or
            both ``um_per_px`` and ``field_angle`` are given.
    """
    if field_angle is not None and not fov_diameter_px:
        raise ValueError('measure_artery_vein: field_angle needs '
                         'fov_diameter_px')
    class_map = np.asarray(class_map)
    um_per_px = micrometres_per_px(fov_diameter_px or class_map.shape[1],
                                   um_per_px, field_angle)
    fov = np.ones(class_map.shape, bool) if fov is None else np.asarray(
        fov) > 0
    scale = (fov_diameter_px or class_map.shape[1]) / NORMALISED_FOV_DIAMETER
    values, reasons = OrderedDict(), OrderedDict()
    vessels, equivalents = OrderedDict(), OrderedDict()
    for name, value in CLASSES.items():
        mask = class_mask(class_map, value)
        measured_map = mask if probabilities is None or value not in \
            probabilities else probabilities[value]
        segments = measure_segments(measured_map, spur_length)
        vessels[name] = [] if disc is None else zone_b_vessels(
            segments, disc)
        morphology = class_morphology(mask, fov, scale,
                                      [s.width for s in segments],
                                      spur_length)
        values.update((f'{name}_{key}', v) for key, v in morphology.items())
        values[f'{name}_zone_b_vessels'] = float(
            len(vessels[name])) if disc is not None else float('nan')
        if disc is None:
            reasons[f'{name}_zone_b_vessels'] = no_disc_reason
        kind, constant = ('crae', ARTERY_CONSTANT) if name == 'artery' else (
            'crve', VEIN_CONSTANT)
        equivalents[kind] = central_equivalent(
            [v.width for v in vessels[name]], constant,
            'arteries' if name == 'artery' else 'veins',
            NUM_WIDEST, min_vessels) if disc is not None else \
            CentralEquivalent(float('nan'), ((), ), no_disc_reason)
    for kind, equivalent in equivalents.items():
        values[f'{kind}_px'] = equivalent.value
        values[f'{kind}_normalised'] = normalised_px(
            equivalent.value,
            fov_diameter_px) if fov_diameter_px else float('nan')
        values[f'{kind}_um'] = equivalent.value * (um_per_px or float('nan'))
        if equivalent.reason:
            for unit in ('px', 'normalised', 'um'):
                reasons[f'{kind}_{unit}'] = equivalent.reason
        else:
            if not fov_diameter_px:
                reasons[f'{kind}_normalised'] = 'no fov_diameter_px given'
            if um_per_px is None:
                reasons[f'{kind}_um'] = 'no um_per_px or field_angle given'
    values['avr'] = equivalents['crae'].value / equivalents['crve'].value
    if not math.isfinite(values['avr']):
        reasons['avr'] = '; '.join(
            dict.fromkeys(e.reason for e in equivalents.values()
                          if e.reason))
    for key, value in values.items():
        if not math.isfinite(value) and key not in reasons:
            reasons[key] = 'nothing of that class to measure'
    return ArteryVeinRecord(values, reasons, vessels, equivalents)
