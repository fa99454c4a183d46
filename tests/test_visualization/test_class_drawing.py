import numpy as np
import pytest

from setr_fundus.visualization import (INSIDE_FOV, VESSEL_COLOUR,
                                       class_colours, draw_zone_b,
                                       overlay_classes, paint_classes)
from setr_fundus.visualization.class_drawing import DISC_COLOUR, ZONE_B_COLOUR

AV_META = dict(
    classes=('background', 'artery', 'vein'),
    palette=[[0, 0, 0], [255, 0, 0], [0, 0, 255]])


def test_colours_two_classes_green_more_from_the_palette():
    assert class_colours(dict(classes=('bg', 'vessel'))) == [(0, 0, 0),
                                                             VESSEL_COLOUR]
    assert class_colours(AV_META) == [(0, 0, 0), (255, 0, 0), (0, 0, 255)]
    with pytest.raises(ValueError, match='3 classes.*2 colours'):
        class_colours(dict(AV_META, palette=AV_META['palette'][:2]))
    with pytest.raises(ValueError, match='0 colours'):
        class_colours(dict(classes=AV_META['classes']))


def test_overlay_tints_each_class_in_bgr():
    img = np.zeros((2, 3, 3), np.uint8)
    img[..., 0] = 100  # blue channel
    class_map = np.array([[0, 1, 2], [2, 255, 1]])
    out = overlay_classes(img, class_map, class_colours(AV_META), alpha=1.0)
    np.testing.assert_array_equal(out[class_map == 1], [[0, 0, 255]] * 2)
    np.testing.assert_array_equal(out[class_map == 2], [[255, 0, 0]] * 2)
    untouched = (class_map == 0) | (class_map == 255)
    np.testing.assert_array_equal(out[untouched], img[untouched])
    with pytest.raises(ValueError, match='size'):
        overlay_classes(img, class_map[:1], class_colours(AV_META))


def test_paint_classes_inside_and_outside_the_fov():
    class_map = np.array([[0, 1, 2], [2, 255, 1]])
    fov = np.array([[1, 1, 1], [0, 1, 1]])
    out = paint_classes(class_map, class_colours(AV_META), fov)
    expected = [[INSIDE_FOV, (255, 0, 0), (0, 0, 255)],
                [(0, 0, 0), INSIDE_FOV, (255, 0, 0)]]
    np.testing.assert_array_equal(out, np.array(expected, np.uint8))
    assert tuple(paint_classes(class_map,
                               class_colours(AV_META))[1, 0]) == (0, 0, 255)


def test_draw_zone_b_draws_disc_and_ring():
    img = np.zeros((200, 240, 3), np.uint8)
    drawn = draw_zone_b(img, 120.0, 100.0, 20.0)
    assert not img.any()  # a copy
    for radius, colour in ((20, DISC_COLOUR), (40, ZONE_B_COLOUR),
                           (60, ZONE_B_COLOUR)):
        assert tuple(drawn[100, 120 + radius]) == colour[::-1]
        assert tuple(drawn[100 - radius, 120]) == colour[::-1]
    assert not drawn[100, 120].any() and not drawn[100, 120 + 30].any()
