"""Knudtson's pairing, written out by hand."""
import math

import pytest

from setr_fundus.evaluation.central_equivalents import (ARTERY_CONSTANT,
                                                        VEIN_CONSTANT,
                                                        central_equivalent,
                                                        knudtson_rounds)


def test_six_widths_pair_widest_with_narrowest_and_carry_the_middle():
    widths = [10.0, 14.0, 11.0, 16.0, 12.0, 13.0]
    k = ARTERY_CONSTANT
    first = sorted([k * math.hypot(10, 16), k * math.hypot(11, 14),
                    k * math.hypot(12, 13)])
    second = sorted([k * math.hypot(first[0], first[2]), first[1]])
    rounds = knudtson_rounds(widths, k)
    assert rounds[0] == (10.0, 11.0, 12.0, 13.0, 14.0, 16.0)
    assert rounds[1] == pytest.approx(first)
    assert rounds[2] == pytest.approx(second)
    assert rounds[3][0] == pytest.approx(k * math.hypot(*second))


def test_only_the_six_widest_count():
    result = central_equivalent([1.0, 2.0, 3, 4, 5, 6, 7, 8], VEIN_CONSTANT,
                                'veins')
    assert result.rounds[0] == (3.0, 4.0, 5.0, 6.0, 7.0, 8.0)
    assert result.reason == ''


@pytest.mark.parametrize('count', [2, 3, 4, 5])
def test_fewer_than_six_go_through_the_same_rounds(count):
    widths = [float(w) for w in range(5, 5 + count)]
    assert central_equivalent(widths, VEIN_CONSTANT, 'veins').value == \
        pytest.approx(knudtson_rounds(widths, VEIN_CONSTANT)[-1][0])


def test_two_widths_are_one_pair():
    assert central_equivalent([3.0, 4.0], VEIN_CONSTANT,
                              'veins').value == pytest.approx(0.95 * 5)


@pytest.mark.parametrize('widths', [[], [7.0], [7.0, float('nan')]])
def test_fewer_than_two_gives_a_reason(widths):
    result = central_equivalent(widths, ARTERY_CONSTANT, 'arteries')
    assert math.isnan(result.value)
    assert result.reason.startswith('fewer than 2 arteries in zone B')


def test_min_vessels_six_keeps_only_six_vessel_eyes():
    result = central_equivalent([5.0] * 5, ARTERY_CONSTANT, 'arteries',
                                min_vessels=6)
    assert result.reason == 'fewer than 6 arteries in zone B (5 found)'


def test_min_vessels_is_checked():
    with pytest.raises(ValueError, match='min_vessels'):
        central_equivalent([5.0], ARTERY_CONSTANT, 'arteries', min_vessels=7)
