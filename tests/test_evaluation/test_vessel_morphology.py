"""VesselMorphology on drawn shapes with known answers, and its invariance
to the number of pixels across the field of view."""
import logging
import math
from unittest import mock

import numpy as np
import pytest
from skimage.draw import line

from setr_fundus.datasets.fov_geometry import FOVCircle
from setr_fundus.evaluation import VesselMorphology
from setr_fundus.evaluation.morphology_ops import (box_counting_dimension,
                                                   path_shape)
from tests.test_evaluation.calibre_drawings import draw_bar

D = 540  # normalised FOV diameter of the drawings (the default)
CENTRE = FOVCircle((D - 1) / 2, (D - 1) / 2, float(D))


def _measure(vessel: np.ndarray, **kwargs) -> dict:
    """Features of a ``D x D`` drawing whose FOV is the inscribed circle."""
    return VesselMorphology(**kwargs)(vessel, circle=CENTRE)


def _band(width: int,
          rows: int = D,
          start: int = 70,
          stop: int = 470) -> np.ndarray:
    """A horizontal bar ``width`` pixels thick through the centre."""
    mask = np.zeros((rows, D), np.uint8)
    top = rows // 2 - width // 2
    mask[top:top + width, start:stop] = 1
    return mask


def _render(polylines, side: int) -> tuple:
    """Sample (points, width) polylines, in FOV diameters, and the FOV disc
    at the pixel centres of a ``side x side`` image: a pixel is vessel
    where its centre lies within half the width of a polyline."""
    vessel = np.zeros((side, side), bool)
    for points, width in polylines:
        points, half = np.asarray(points) * side, width * side / 2
        for a, b in zip(points[:-1], points[1:]):
            low = np.maximum(np.floor(np.minimum(a, b) - half), 0).astype(int)
            high = np.minimum(np.ceil(np.maximum(a, b) + half) + 1,
                              side).astype(int)
            rows, cols = np.mgrid[low[0]:high[0], low[1]:high[1]] + 0.5
            ab = b - a
            t = np.clip(((rows - a[0]) * ab[0] + (cols - a[1]) * ab[1]) /
                        max(ab @ ab, 1e-12), 0, 1)
            near = np.hypot(rows - a[0] - t * ab[0],
                            cols - a[1] - t * ab[1]) <= half
            vessel[low[0]:high[0], low[1]:high[1]] |= near
    rows, cols = np.mgrid[:side, :side] + 0.5
    fov = np.hypot(rows - side / 2, cols - side / 2) <= side / 2
    return (vessel & fov).astype(np.uint8), fov.astype(np.uint8)


def _arc(cy, cx, r, start, stop, n=200):
    t = np.linspace(math.radians(start), math.radians(stop), n)
    return np.stack([cy + r * np.sin(t), cx + r * np.cos(t)], 1)


# a small tree in FOV-diameter units: trunk, two branches, a wavy vessel
TREE = [
    (np.array([[0.88, 0.47], [0.5, 0.52]]), 0.03),
    (_arc(0.5, 0.32, 0.2, 0, -80), 0.018),
    (np.array([[0.5, 0.52], [0.22, 0.74]]), 0.018),
    (np.stack([
        np.linspace(0.3, 0.72, 200),
        0.2 + 0.03 * np.sin(np.linspace(0, 4 * np.pi, 200))
    ], 1), 0.012),
]


@pytest.mark.parametrize('width', [1, 2, 3, 4, 5, 6])
def test_straight_line_of_width_w(width):
    features = _measure(_band(width))
    assert features['caliber_median'] == pytest.approx(width, rel=0.01)
    assert features['caliber_widest'] == pytest.approx(width, rel=0.01)
    assert features['tortuosity_distance'] == pytest.approx(1.0, abs=1e-3)
    assert features['tortuosity_curvature'] == pytest.approx(0.0, abs=1e-4)
    assert features['segments'] == 1 and features['end_points'] == 2
    assert features['branch_points'] == 0
    # the centreline's box-counting dimension is that of a line whatever
    # the width; the mask's only while the boxes are wider than the line
    assert features['fractal_dimension_skeleton'] == pytest.approx(1, abs=0.05)
    if width == 1:
        assert features['fractal_dimension'] == pytest.approx(1, abs=0.05)
    assert features['skeleton_length'] == pytest.approx(400 - width, abs=3)
    fov_area = np.count_nonzero(
        np.hypot(*(np.mgrid[:D, :D] - (D - 1) / 2)) <= D / 2)
    assert features['density'] == pytest.approx(400 * width / fov_area)


@pytest.mark.parametrize('angle', [10, 22.5, 60])
def test_oblique_line_is_straight_and_its_length_isotropic(angle):
    a = math.radians(angle)
    mask = np.zeros((D, D), np.uint8)
    rr, cc = line(
        int(round(270 - 200 * math.sin(a))),
        int(round(270 - 200 * math.cos(a))),
        int(round(270 + 200 * math.sin(a))),
        int(round(270 + 200 * math.cos(a))))
    mask[rr, cc] = 1
    features = _measure(mask)
    chord = math.hypot(rr[-1] - rr[0], cc[-1] - cc[0])
    # skan's pixel steps alone (1 and sqrt 2) would read up to 8 % longer
    assert features['skeleton_length'] == pytest.approx(chord, rel=0.005)
    assert features['tortuosity_distance'] == pytest.approx(1.0, abs=1e-3)
    assert features['tortuosity_curvature'] < 1e-3


@pytest.mark.parametrize('diameter', [470.0, 535.0, 601.0])
def test_thin_line_stays_whole_when_rescaled(diameter):
    # a one-pixel line at 30 degrees, its FOV rescaled by 540 / diameter
    mask = np.zeros((D, D), np.uint8)
    rr, cc = line(170, 97, 370, 443)
    mask[rr, cc] = 1
    circle = FOVCircle((D - 1) / 2, (D - 1) / 2, diameter)
    features = VesselMorphology()(mask, circle=circle)
    assert (features['segments'], features['end_points']) == (1, 2)
    assert features['skeleton_length'] == pytest.approx(
        math.hypot(200, 346) * 540 / diameter, rel=0.01)


def test_filled_disc_has_dimension_near_two():
    # a finite disc's boundary boxes pull the slope a little below 2
    disc, _ = _render([(np.array([[0.5, 0.5], [0.5, 0.5]]), 0.9)], D)
    assert 1.85 < _measure(disc)['fractal_dimension'] <= 2.0
    empty = np.zeros((8, 8), bool)
    assert math.isnan(box_counting_dimension(empty, (2, 4)))


@pytest.mark.parametrize('radius,degrees', [(100, 90), (100, 180), (60, 270)])
def test_circular_arc(radius, degrees):
    vessel, _ = _render([(_arc(0.5, 0.5, radius / D, 0, degrees, 400), 3 / D)],
                        D)
    features = _measure(vessel)
    assert features['segments'] == 1
    # the centreline ends about half a width inside the drawn arc's ends
    arc = features['skeleton_length']
    assert arc == pytest.approx(radius * math.radians(degrees), abs=4)
    angle = arc / radius
    assert features['tortuosity_distance'] == pytest.approx(
        angle / (2 * math.sin(angle / 2)), rel=0.02)
    # the spline bends a little more at the centreline's ends
    assert features['tortuosity_curvature'] == pytest.approx(
        1 / radius, rel=0.08)


def test_path_shape_of_a_pixelated_half_circle():
    t = np.linspace(0, math.pi, 400)
    coords = np.round(np.stack([100 * np.sin(t), 100 * np.cos(t)], 1))
    coords = coords[np.r_[True, (np.diff(coords, axis=0) != 0).any(1)]]
    shape = path_shape(coords)
    assert shape['arc'] == pytest.approx(100 * math.pi, rel=0.005)
    assert shape['arc'] / shape['chord'] == pytest.approx(
        math.pi / 2, rel=0.005)
    assert shape['turning'] == pytest.approx(math.pi, rel=0.03)


def test_y_junction_has_one_branch_point_three_end_points():
    vessel, _ = _render([
        (np.array([[0.85, 0.5], [0.5, 0.5]]), 7 / D),
        (np.array([[0.5, 0.5], [0.2, 0.25]]), 3 / D),
        (np.array([[0.5, 0.5], [0.2, 0.75]]), 3 / D),
    ], D)
    features = _measure(vessel)
    assert features['branch_points'] == 1
    assert features['end_points'] == 3
    assert features['segments'] == 3
    # the median segment is a 3 px branch; the widest mean includes the
    # 7 px trunk
    assert features['caliber_median'] == pytest.approx(3, abs=0.5)
    assert features['caliber_widest'] == pytest.approx(
        (7 + 3 + 3) / 3, abs=0.5)


def test_spurs_are_pruned_and_specks_dropped():
    vessel = _band(5)
    vessel[262:268, 200] = 1  # a 6 px stub off the vessel's border
    vessel[30:33, 230:233] = 1  # a speck
    features = _measure(vessel)
    assert (features['segments'], features['branch_points'],
            features['end_points']) == (1, 0, 2)
    assert _measure(vessel, spur_length=0)['branch_points'] == 1


def test_small_holes_are_filled():
    vessel = _band(6)
    vessel[270, 200] = 0  # a one-pixel gap in the annotation
    assert _measure(vessel)['segments'] == 1
    assert _measure(vessel, hole_area=0)['segments'] > 1


@pytest.mark.parametrize('fov,width', [(400, 2), (1200, 3), (2400, 2),
                                       (2400, 12)])
def test_calibers_are_read_at_the_masks_own_resolution(fov, width):
    """A bar ``width`` pixels wide at 17 degrees in a FOV ``fov`` pixels
    across: the caliber in the mask's pixels (normalised / scale) is its
    drawn width within 3 %, where the 540 px frame has pixels of up to 4.4
    of the mask's."""
    centre = (fov / 2 + 0.3, fov / 2 + 0.2)
    bar = draw_bar((fov, fov), centre, 17.0, fov / 4, width, False)
    drawn_width = bar.sum() / (fov / 4)
    features = VesselMorphology()(
        bar.astype(np.uint8),
        circle=FOVCircle((fov - 1) / 2, (fov - 1) / 2, float(fov)))
    for key in ('caliber_median', 'caliber_widest'):
        assert features[key] / features['scale'] == pytest.approx(
            drawn_width, rel=0.03), key


@pytest.mark.parametrize('scale', [2, 4])
def test_invariant_to_pixels_across_the_fov(scale):
    """The same drawing at 2x and 4x the pixels gives the same features
    (lengths in normalised pixels, i.e. FOV units) within: 1 % for
    density, skeleton length and tortuosity, 3 % for calibers and the mean
    curvature, 0.03 for the fractal dimensions, and equal counts of
    segments, branch and end points."""
    side = 256
    morphology = VesselMorphology(fov_diameter=side)
    base = morphology(*_render(TREE, side))
    big = morphology(*_render(TREE, scale * side))
    assert big['fov_diameter_px'] == pytest.approx(scale * side, abs=1)
    assert big['scale'] == pytest.approx(1 / scale, rel=0.005)
    for key, rel in (('density', 0.01), ('skeleton_length', 0.01),
                     ('tortuosity_distance', 0.01), ('caliber_median', 0.03),
                     ('caliber_widest', 0.03), ('tortuosity_curvature', 0.03)):
        assert big[key] == pytest.approx(base[key], rel=rel), key
    for key in ('fractal_dimension', 'fractal_dimension_skeleton'):
        assert big[key] == pytest.approx(base[key], abs=0.03), key
    for key in ('segments', 'branch_points', 'end_points'):
        assert big[key] == base[key], key
    assert (base['segments'], base['branch_points']) == (4, 1)
    assert base['tortuosity_distance'] > 1.05


def test_clipped_fov_is_measured_at_the_circle_scale():
    vessel, fov = _render(TREE, 600)
    fov[:60], vessel[:60] = 0, 0  # the frame clips the top of the circle
    features = VesselMorphology()(vessel, fov)
    assert features['fov_diameter_px'] == pytest.approx(600, abs=2)
    assert features['scale'] == pytest.approx(540 / 600, rel=0.005)


def test_micrometre_features():
    vessel, fov = _render(TREE, 2 * D)
    by_pixel = VesselMorphology(um_per_px=5.0)(vessel, fov)
    assert by_pixel['um_per_px'] == pytest.approx(10.0, rel=0.005)
    assert by_pixel['caliber_median_um'] == pytest.approx(
        by_pixel['caliber_median'] * by_pixel['um_per_px'])
    by_angle = VesselMorphology(field_angle=45)(vessel, fov)
    assert by_angle['um_per_px'] == pytest.approx(45 * 288 / D)
    assert by_angle['skeleton_length_mm'] == pytest.approx(
        by_angle['skeleton_length'] * 45 * 288 / D / 1000)
    assert 'um_per_px' not in VesselMorphology().columns


def test_without_fov_assumes_the_image_width():
    with mock.patch(
            'setr_fundus.evaluation.vessel_morphology.print_log') as log:
        features = VesselMorphology()(_band(3, rows=400), name='x.png')
    assert features['fov_diameter_px'] == D and features['fov_fitted'] == 0
    message = log.call_args.args[0]
    assert 'x.png' in message and 'no FOV mask' in message
    assert log.call_args.kwargs['level'] == logging.WARNING


def test_empty_mask_has_no_segments():
    features = _measure(np.zeros((D, D), np.uint8))
    assert features['density'] == 0 and features['segments'] == 0
    assert math.isnan(features['caliber_median'])
    assert math.isnan(features['fractal_dimension'])


def test_bad_input_is_named():
    with pytest.raises(ValueError, match='a.png.*binary.*values \\[0, 255\\]'):
        VesselMorphology()(np.array([[0, 255]]), name='a.png')
    with pytest.raises(ValueError, match='b.png.*FOV mask of shape'):
        VesselMorphology()(np.zeros((4, 4)), np.ones((4, 5)), name='b.png')
    with pytest.raises(ValueError, match='c.png.*FOV mask is empty'):
        VesselMorphology()(np.zeros((4, 4)), np.zeros((4, 4)), name='c.png')
    for kwargs in (dict(fov_diameter=10), dict(box_sizes=(4, )),
                   dict(spur_length=-1), dict(num_widest=0),
                   dict(hole_area=1.5), dict(um_per_px=0),
                   dict(um_per_px=5, field_angle=45)):
        with pytest.raises(ValueError):
            VesselMorphology(**kwargs)
