"""Central retinal artery and vein equivalents (CRAE, CRVE) by the revised
formulas of Knudtson et al. (2003): pure arithmetic on vessel widths.

The widest ``num_widest`` (6) widths are sorted; the widest is paired with
the narrowest, the second widest with the second narrowest and so on, each
pair ``(w1, w2)`` giving ``k * sqrt(w1**2 + w2**2)`` (``k`` 0.88 for
arteries, 0.95 for veins); with an odd count the middle width is carried to
the next round unchanged. Rounds repeat until one value is left (6 -> 3 ->
2 -> 1). Fewer widths go through the same rounds (as PVBM's
``central_equivalent``); fewer than ``min_vessels`` give no value and a
reason. docs/calibre.md has a worked example.
"""
import math
from typing import List, NamedTuple, Sequence, Tuple

ARTERY_CONSTANT = 0.88
VEIN_CONSTANT = 0.95
NUM_WIDEST = 6


class CentralEquivalent(NamedTuple):
    """A central retinal equivalent and how it was reached.

    Args:
        value (float): The equivalent in the widths' unit; NaN where it
            cannot be computed.
        rounds (tuple): The sorted values of every round, the first being
            the widths used (the widest ``num_widest``, ascending).
        reason (str): Why ``value`` is NaN; empty where it is not.
    """
    value: float
    rounds: Tuple[Tuple[float, ...], ...]
    reason: str


def knudtson_rounds(widths: Sequence[float],
                    constant: float) -> List[Tuple[float, ...]]:
    """The rounds of Knudtson's pairing, from the widths to one value.

    Args:
        widths (Sequence[float]): At least one width.
        constant (float): :data:`ARTERY_CONSTANT` or :data:`VEIN_CONSTANT`.

    Returns:
        list[tuple]: Each round's values in ascending order; the last
        round holds the equivalent alone.
    """
    values = tuple(sorted(float(w) for w in widths))
    rounds = [values]
    while len(values) > 1:
        count = len(values)
        paired = [
            constant * math.hypot(values[i], values[count - 1 - i])
            for i in range(count // 2)
        ]
        if count % 2:
            paired.append(values[count // 2])
        values = tuple(sorted(paired))
        rounds.append(values)
    return rounds


def central_equivalent(widths: Sequence[float],
                       constant: float,
                       vessels: str,
                       num_widest: int = NUM_WIDEST,
                       min_vessels: int = 2) -> CentralEquivalent:
    """CRAE or CRVE of the vessel widths of one eye.

    Args:
        widths (Sequence[float]): Widths of the vessels crossing zone B;
            non-finite ones are left out.
        constant (float): :data:`ARTERY_CONSTANT` (CRAE) or
            :data:`VEIN_CONSTANT` (CRVE).
        vessels (str): What the widths are (``'arteries'``, ``'veins'``),
            for the reason.
        num_widest (int): How many of the widest are used. Defaults to 6.
        min_vessels (int): Fewer finite widths give NaN. Defaults to 2 (a
            pair); 6 keeps only eyes with six vessels.

    Returns:
        CentralEquivalent: The value, the rounds and a reason.

    Raises:
        ValueError: If ``num_widest`` or ``min_vessels`` is below 1, or
            ``min_vessels`` above ``num_widest``.
    """
    if not 1 <= min_vessels <= num_widest:
        raise ValueError('central_equivalent needs 1 <= min_vessels <= '
                         f'num_widest, got {min_vessels} and {num_widest}')
    finite = sorted(float(w) for w in widths if math.isfinite(w))
    if len(finite) < min_vessels:
        return CentralEquivalent(
            float('nan'), (tuple(finite), ),
            f'fewer than {min_vessels} {vessels} in zone B '
            f'({len(finite)} found)')
    rounds = knudtson_rounds(finite[-num_widest:], constant)
    return CentralEquivalent(rounds[-1][0], tuple(rounds), '')
