"""Vessel calibre in the units a study reports: pixels of the map,
normalised pixels (a 540 px field of view) and micrometres."""
import math
import numbers
from typing import Optional

NORMALISED_FOV_DIAMETER = 540.0
# retina per degree of field angle near the optic axis (Drasdo & Fowler,
# Br J Ophthalmol 1974); a linear approximation for wide fields
RETINA_UM_PER_DEGREE = 288.0


def normalised_px(length_px: float,
                  fov_diameter_px: float,
                  fov_diameter_normalised: float = NORMALISED_FOV_DIAMETER
                  ) -> float:
    """A length in pixels of the map as pixels of a field of view
    ``fov_diameter_normalised`` across (``length * normalised / fov``).

    Args:
        length_px (float): Length in pixels of the map.
        fov_diameter_px (float): FOV diameter in pixels of the map, > 0.
        fov_diameter_normalised (float): Defaults to 540.

    Returns:
        float: The normalised length.
    """
    if not fov_diameter_px > 0:
        raise ValueError('normalised_px needs fov_diameter_px > 0, got '
                         f'{fov_diameter_px!r}')
    return length_px * fov_diameter_normalised / fov_diameter_px


def micrometres_per_px(fov_diameter_px: float,
                       um_per_px: Optional[float] = None,
                       field_angle: Optional[float] = None
                       ) -> Optional[float]:
    """Micrometres of retina per pixel of the map.

    Given ``um_per_px`` it is returned; given the camera's ``field_angle``
    (degrees across the FOV diameter) it is ``field_angle *
    RETINA_UM_PER_DEGREE / fov_diameter_px`` (288 um per degree, as
    :class:`~setr_fundus.evaluation.VesselMorphology`: 12.96 mm across a
    45 degree field).

    Args:
        fov_diameter_px (float): FOV diameter in pixels of the map.
        um_per_px (float, optional): Known scale. Defaults to None.
        field_angle (float, optional): Field angle in degrees.
            Defaults to None.

    Returns:
        float or None: None where neither is given.

    Raises:
        ValueError: If both are given, or a given value is not > 0.
    """
    if um_per_px is not None and field_angle is not None:
        raise ValueError('micrometres_per_px takes um_per_px or field_angle, '
                         'not both')
    given = (('um_per_px', um_per_px), ('field_angle', field_angle),
             ('fov_diameter_px', fov_diameter_px))
    for name, value in given:
        if value is not None and not (isinstance(value, numbers.Real)
                                      and math.isfinite(value) and value > 0):
            raise ValueError(f'micrometres_per_px needs {name} > 0, got '
                             f'{value!r}')
    if um_per_px is not None:
        return float(um_per_px)
    if field_angle is not None:
        return field_angle * RETINA_UM_PER_DEGREE / fov_diameter_px
    return None
