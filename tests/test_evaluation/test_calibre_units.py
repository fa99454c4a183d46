"""Normalised pixels and micrometres of a calibre."""
import pytest

from setr_fundus.evaluation.calibre_units import (micrometres_per_px,
                                                  normalised_px)


def test_normalised_px_scales_to_a_540_px_fov():
    assert normalised_px(10.0, 3000.0) == pytest.approx(1.8)
    with pytest.raises(ValueError):
        normalised_px(10.0, 0.0)


def test_micrometres_per_px_from_either_source():
    assert micrometres_per_px(1000.0, um_per_px=6.5) == 6.5
    # 45 degrees x 288 um per degree over 1296 px
    assert micrometres_per_px(1296.0, field_angle=45.0) == pytest.approx(10)
    assert micrometres_per_px(1296.0) is None
    with pytest.raises(ValueError, match='not both'):
        micrometres_per_px(1296.0, um_per_px=6.5, field_angle=45.0)
    with pytest.raises(ValueError, match='field_angle'):
        micrometres_per_px(1296.0, field_angle=-45.0)
