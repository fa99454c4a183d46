"""VesselMorphology: vascular features of a binary vessel mask, measured at
a normalised field-of-view scale (docs/morphology.md)."""
import logging
from collections import OrderedDict
from typing import Dict, NamedTuple, Optional, Sequence, Tuple

import numpy as np
from mmengine.logging import print_log

from ..datasets.fov_geometry import FOVCircle, fit_fov_circle
from .calibre_units import micrometres_per_px
from .fov_frame import fov_frame
from .morphology_ops import box_counting_dimension
from .skeleton_graph import fill_small_holes, graph_features, pruned_skeleton
from .vessel_calibre import measure_segments

FEATURES = ('fov_diameter_px', 'fov_fitted', 'scale', 'density',
            'fractal_dimension', 'fractal_dimension_skeleton',
            'skeleton_length', 'segments', 'branch_points', 'end_points',
            'caliber_median', 'caliber_widest', 'tortuosity_distance',
            'tortuosity_curvature')
UM_FEATURES = ('um_per_px', 'skeleton_length_mm', 'caliber_median_um',
               'caliber_widest_um')


class MorphologyAnalysis(NamedTuple):
    """What :meth:`VesselMorphology.analyse` measured, in the normalised
    ``D x D`` frame (``D = fov_diameter``) centred on the FOV circle.

    Args:
        features (dict): Feature name -> value, in the order of
            ``VesselMorphology.columns``.
        vessel (np.ndarray): Bool DxD vessel mask inside the FOV.
        fov (np.ndarray): Bool DxD FOV mask.
        skeleton (np.ndarray): Bool DxD centreline after spur pruning.
        calibre_points (np.ndarray): Nx3 (row, col, width) where the calibre
            was measured, in the normalised frame (width in normalised
            pixels).
        branch_points (np.ndarray): Nx2 (row, col), one node per junction
            cluster.
        end_points (np.ndarray): Mx2 (row, col) tips.
    """
    features: Dict[str, float]
    vessel: np.ndarray
    fov: np.ndarray
    skeleton: np.ndarray
    calibre_points: np.ndarray
    branch_points: np.ndarray
    end_points: np.ndarray


class VesselMorphology:
    """Density, fractal dimension, skeleton graph, caliber and tortuosity of
    a binary vessel mask, per image, comparable across cameras.

    The mask and its field of view (FOV) are first rescaled so that the FOV
    circle (:func:`~setr_fundus.datasets.fov_geometry.fit_fov_circle`) is
    ``fov_diameter`` pixels across, and cut to the ``D x D`` square around
    it (``D = fov_diameter``); every length below is in pixels of that
    normalised image (divide by ``D`` for fractions of the FOV diameter).
    Small holes are filled; the centreline is scikit-image's skeleton,
    analysed as a graph by ``skan``: tip-to-junction branches shorter than
    ``spur_length`` are pruned (skeleton spurs of the vessel border) and
    skeleton pieces of fewer pixels dropped. Per branch ("segment") of at
    least ``min_segment_length``: arc/chord and mean absolute curvature of
    a smoothing spline through it. Calibers are measured on the mask as it
    is, at its own resolution, to a fraction of a pixel
    (:func:`~setr_fundus.evaluation.vessel_calibre.measure_segments`, with
    the same lengths and hole area converted to its pixels), and reported
    in normalised pixels: the normalised frame would round them to its
    pixels. Formulas, units and the comparison with AutoMorph and PVBM:
    docs/morphology.md.

    Args:
        fov_diameter (int): FOV diameter of the normalised image in pixels.
            Defaults to 540 (about DRIVE's, the project's training scale).
        box_sizes (Sequence[int], optional): Box sides of the box counting
            in normalised pixels, all used in the fit. Defaults to None:
            the powers of two from 2 to ``fov_diameter / 8``
            (2, 4, ..., 64 for 540).
        hole_area (int): Holes in the vessel mask of at most this many
            normalised pixels are filled first (gaps in annotations, which
            would make loops of the centreline). Defaults to 8.
        spur_length (float): Tip branches shorter than this are pruned.
            Defaults to 10.0.
        min_segment_length (float): Segments shorter than this have no
            caliber or tortuosity. Defaults to 10.0.
        num_widest (int): ``caliber_widest`` averages the calibers of this
            many widest segments. Defaults to 6.
        um_per_px (float, optional): Micrometres per pixel of the
            photograph (the input mask), for the ``*_um`` / ``*_mm``
            features. Defaults to None.
        field_angle (float, optional): The camera's field of view in
            degrees across the FOV circle, an alternative to ``um_per_px``
            (``calibre_units.RETINA_UM_PER_DEGREE`` um of retina per
            degree).
            Defaults to None.
    """

    def __init__(self,
                 fov_diameter: int = 540,
                 box_sizes: Optional[Sequence[int]] = None,
                 hole_area: int = 8,
                 spur_length: float = 10.0,
                 min_segment_length: float = 10.0,
                 num_widest: int = 6,
                 um_per_px: Optional[float] = None,
                 field_angle: Optional[float] = None) -> None:
        if not isinstance(fov_diameter, int) or fov_diameter < 32:
            raise ValueError('VesselMorphology fov_diameter must be an int '
                             f'>= 32 pixels, got {fov_diameter!r}')
        if box_sizes is None:
            box_sizes = tuple(
                2**k for k in range(1,
                                    int(np.log2(fov_diameter / 8)) + 1))
        box_sizes = tuple(box_sizes)
        if len(set(box_sizes)) < 2 or not all(
                isinstance(s, int) and 1 <= s <= fov_diameter
                for s in box_sizes):
            raise ValueError('VesselMorphology box_sizes must hold at least '
                             'two different ints in [1, fov_diameter], got '
                             f'{box_sizes!r}')
        for key, value in (('spur_length', spur_length), ('min_segment_length',
                                                          min_segment_length)):
            if not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f'VesselMorphology {key} must be a number '
                                 f'>= 0, got {value!r}')
        if not isinstance(hole_area, int) or hole_area < 0:
            raise ValueError('VesselMorphology hole_area must be an int >= '
                             f'0, got {hole_area!r}')
        if not isinstance(num_widest, int) or num_widest < 1:
            raise ValueError('VesselMorphology num_widest must be an int >= '
                             f'1, got {num_widest!r}')
        try:
            micrometres_per_px(float(fov_diameter), um_per_px, field_angle)
        except ValueError as error:
            raise ValueError(f'VesselMorphology: {error}') from error
        self.fov_diameter = fov_diameter
        self.box_sizes = box_sizes
        self.hole_area = hole_area
        self.spur_length = float(spur_length)
        self.min_segment_length = float(min_segment_length)
        self.num_widest = num_widest
        self.um_per_px = um_per_px
        self.field_angle = field_angle

    @property
    def columns(self) -> Tuple[str, ...]:
        """Feature names, in order; the micrometre features only where
        ``um_per_px`` or ``field_angle`` is set."""
        if self.um_per_px is None and self.field_angle is None:
            return FEATURES
        return FEATURES + UM_FEATURES

    def __call__(self,
                 vessel: np.ndarray,
                 fov: Optional[np.ndarray] = None,
                 circle: Optional[FOVCircle] = None,
                 name: Optional[str] = None) -> Dict[str, float]:
        """The features of one mask (see :meth:`analyse`).

        Returns:
            dict: Feature name -> float, in :attr:`columns` order.
        """
        return self.analyse(vessel, fov, circle, name).features

    def analyse(self,
                vessel: np.ndarray,
                fov: Optional[np.ndarray] = None,
                circle: Optional[FOVCircle] = None,
                name: Optional[str] = None) -> MorphologyAnalysis:
        """Measure one vessel mask.

        Args:
            vessel (np.ndarray): HxW vessel mask, bool or 0/1.
            fov (np.ndarray, optional): HxW FOV mask, inside where > 0 and
                not 255. None: the disc of ``circle``.
            circle (FOVCircle, optional): The FOV circle in the mask's
                pixels. None: fitted to ``fov``; without ``fov`` either, the
                circle as wide as the image, centred (with a warning), as
                ``fit_fov_circle`` assumes for a photograph without border.
            name (str, optional): The image, named in messages.

        Returns:
            MorphologyAnalysis: The features and the normalised maps.

        Raises:
            ValueError: If the mask is not 2-D and binary, the FOV mask has
                another size or the FOV is empty.
        """
        what = name or 'the vessel mask'
        vessel = np.asarray(vessel)
        if vessel.ndim != 2 or not np.isin(vessel, (0, 1)).all():
            values = np.unique(vessel)[:6].tolist()
            raise ValueError(f'{what}: expected a 2-D binary vessel mask of '
                             f'0/1 (or bool), got shape {vessel.shape} and '
                             f'values {values}')
        h, w = vessel.shape
        if fov is not None:
            fov = np.asarray(fov)
            if fov.shape != vessel.shape:
                raise ValueError(
                    f'{what}: FOV mask of shape {fov.shape} does not match '
                    f'the vessel mask of shape {vessel.shape} (HxW)')
            fov = (fov > 0) & (fov != 255)
        if circle is None and fov is None:
            print_log(
                f'{what}: no FOV mask, so the FOV circle is assumed as wide '
                f'as the image ({w} px) and centred; give the FOV masks (or '
                'the photographs) for a measured one',
                logger='current',
                level=logging.WARNING)
            circle = FOVCircle((w - 1) / 2, (h - 1) / 2, float(w), False)
        elif circle is None:
            circle = fit_fov_circle(fov.astype(np.uint8), what)
        if fov is None:
            yy, xx = np.ogrid[:h, :w]
            fov = ((xx - circle.cx)**2 + (yy - circle.cy)**2
                   <= (circle.diameter / 2)**2)
        (vessel_n, fov_n), scale, corner = fov_frame(
            ((vessel.astype(bool), True), (fov, False)), circle,
            self.fov_diameter)
        if not fov_n.any():
            raise ValueError(f'{what}: the field of view is empty; expected '
                             'a FOV mask with pixels inside the FOV > 0')
        vessel_n = fill_small_holes(vessel_n & fov_n, self.hole_area) & fov_n
        skeleton, graph = pruned_skeleton(vessel_n, self.spur_length)
        features = OrderedDict(
            fov_diameter_px=float(circle.diameter),
            fov_fitted=float(circle.fitted),
            scale=scale,
            density=float(vessel_n.sum() / fov_n.sum()),
            fractal_dimension=box_counting_dimension(vessel_n, self.box_sizes),
            fractal_dimension_skeleton=box_counting_dimension(
                skeleton, self.box_sizes))
        counts, branch_points, end_points = graph_features(
            graph, self.min_segment_length)
        features.update(counts)
        calibres, calibre_points = self._calibres(
            vessel.astype(bool) & fov, scale, corner)
        features.update(calibres)
        if self.um_per_px is not None or self.field_angle is not None:
            features.update(self._micrometres(features))
        features = {key: features[key] for key in self.columns}
        return MorphologyAnalysis(features, vessel_n, fov_n, skeleton,
                                  calibre_points, branch_points, end_points)

    def _calibres(self, vessel: np.ndarray, scale: float,
                  corner: Tuple[int, int]
                  ) -> Tuple[Dict[str, float], np.ndarray]:
        """``caliber_median`` and ``caliber_widest`` (normalised px) of the
        segments of at least ``min_segment_length``, measured on the mask
        at its own resolution, and where they were measured (normalised
        frame, its corner at ``corner`` (row, col) of the rescaled mask)."""
        vessel = fill_small_holes(vessel,
                                  int(round(self.hole_area / scale**2)))
        calibres, points = [], []
        for segment in measure_segments(vessel, self.spur_length / scale):
            length = np.hypot(*np.diff(segment.coords, axis=0).T).sum()
            if length * scale < self.min_segment_length or not np.isfinite(
                    segment.width):
                continue
            calibres.append(segment.width * scale)
            centres = (segment.centres[segment.interior] + 0.5) * scale - 0.5
            points.append(
                np.column_stack([
                    centres - np.array(corner),
                    segment.widths[segment.interior] * scale
                ]))
        nan = float('nan')
        widest = np.sort(calibres)[::-1][:self.num_widest]
        return dict(
            caliber_median=float(np.median(calibres)) if calibres else nan,
            caliber_widest=float(widest.mean()) if calibres else nan
        ), np.concatenate(points) if points else np.zeros((0, 3))

    def _micrometres(self, features: Dict[str, float]) -> Dict[str, float]:
        """The micrometre features of the normalised pixel ones."""
        um_per_px = micrometres_per_px(features['fov_diameter_px'],
                                       self.um_per_px,
                                       self.field_angle) / features['scale']
        return dict(
            um_per_px=um_per_px,
            skeleton_length_mm=features['skeleton_length'] * um_per_px / 1e3,
            caliber_median_um=features['caliber_median'] * um_per_px,
            caliber_widest_um=features['caliber_widest'] * um_per_px)
