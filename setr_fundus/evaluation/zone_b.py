"""Zone B around the optic disc and the vessels crossing it, with their
calibres at the resolution of the map (docs/calibre.md).

Zone B is the ring from half a disc diameter to one disc diameter beyond
the disc margin: ``2 r <= distance from the disc centre <= 3 r`` for a disc
of radius ``r``. Rules:

- a segment (skan branch,
  :func:`~setr_fundus.evaluation.vessel_calibre.measure_segments`) crosses
  zone B when at least one of its interior widths lies in the ring; its
  width is the trimmed mean of those (a segment that leaves the ring and
  comes back is one vessel, measured over both passes);
- a segment leaving a branch point that lies in the ring or beyond (its end
  nearer the disc centre is a junction at ``>= 2 r``) is a branch of a
  vessel measured before it divides: it does not count where that vessel
  (a crossing segment ending at the same branch point) counts.
"""
from typing import List, NamedTuple, Sequence

import numpy as np

from .vessel_calibre import SegmentCalibre, robust_width

ZONE_B_RADII = (2.0, 3.0)
# end pixels of segments meeting at one branch point lie this close (px)
JUNCTION_REACH = 3.0


class DiscCircle(NamedTuple):
    """The optic disc as a circle in pixels of the map (e.g. from
    :func:`~setr_fundus.evaluation.find_optic_disc`: radius = diameter / 2).

    Args:
        cx (float): Centre column.
        cy (float): Centre row.
        radius (float): Radius, > 0.
    """
    cx: float
    cy: float
    radius: float


class ZoneBVessel(NamedTuple):
    """A vessel crossing zone B.

    Args:
        width (float): Its calibre in the ring, in pixels.
        samples (int): Widths averaged.
        segment (int): Index of its segment in the list measured.
    """
    width: float
    samples: int
    segment: int


def distance_to_disc(points: np.ndarray, disc: DiscCircle) -> np.ndarray:
    """Distances of Nx2 (row, col) points to the disc centre in pixels."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return np.hypot(points[:, 0] - disc.cy, points[:, 1] - disc.cx)


def zone_b_mask(shape: Sequence[int], disc: DiscCircle) -> np.ndarray:
    """Bool HxW mask of zone B (pixel centres at ``2 r .. 3 r``)."""
    rows, cols = np.indices(tuple(shape))
    distance = distance_to_disc(np.stack([rows.ravel(), cols.ravel()], 1),
                                disc).reshape(tuple(shape))
    inner, outer = (k * disc.radius for k in ZONE_B_RADII)
    return (distance >= inner) & (distance <= outer)


def zone_b_vessels(segments: Sequence[SegmentCalibre],
                   disc: DiscCircle) -> List[ZoneBVessel]:
    """The vessels crossing zone B and their widths in the ring.

    Args:
        segments (Sequence[SegmentCalibre]): The segments of one class's
            map (:func:`~setr_fundus.evaluation.vessel_calibre.
            measure_segments`).
        disc (DiscCircle): The optic disc.

    Returns:
        list[ZoneBVessel]: In segment order.

    Raises:
        ValueError: If the disc radius is not > 0.
    """
    if not disc.radius > 0:
        raise ValueError(f'zone_b_vessels needs a disc radius > 0, got '
                         f'{disc.radius!r}')
    inner, outer = (k * disc.radius for k in ZONE_B_RADII)
    crossing = {}
    for index, segment in enumerate(segments):
        distance = distance_to_disc(segment.centres, disc)
        in_ring = segment.interior & (distance >= inner) & (distance <= outer)
        if in_ring.any():
            crossing[index] = segment.widths[in_ring]
    ends = {
        index: segments[index].coords[[0, -1]]
        for index in crossing
    }
    vessels = []
    for index, widths in crossing.items():
        if _is_branch_of_crossing_vessel(index, segments[index], ends, disc,
                                         inner):
            continue
        vessels.append(ZoneBVessel(robust_width(widths), widths.size, index))
    return vessels


def _is_branch_of_crossing_vessel(index: int, segment: SegmentCalibre,
                                  ends: dict, disc: DiscCircle,
                                  inner: float) -> bool:
    """Whether the segment leaves a branch point at ``>= inner`` from the
    disc centre where another crossing segment ends."""
    distance = distance_to_disc(segment.coords[[0, -1]], disc)
    near = int(np.argmin(distance))
    if not segment.junction_ends[near] or distance[near] < inner:
        return False
    junction = segment.coords[[0, -1]][near]
    for other, other_ends in ends.items():
        if other == index:
            continue
        gaps = np.hypot(*(other_ends - junction).T)
        if gaps.min() <= JUNCTION_REACH:
            # the trunk ends at the branch point with its far end; a
            # sibling branch starts there with its near one
            far = int(np.argmax(distance_to_disc(other_ends, disc)))
            if int(np.argmin(gaps)) == far:
                return True
    return False
