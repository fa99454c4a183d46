"""How well :func:`~setr_fundus.evaluation.vessel_calibre.measure_segments`
reads the width of drawn bars and arcs, over widths, directions, drawing
styles and field-of-view sizes; prints the table of docs/calibre.md::

    python .dev_scripts/calibre_bars.py [--morphology]

Each image is as wide as the FOV diameter; in it one bar (a quarter of the
FOV long, through the middle, rotated by the direction) or one arc (radius a
quarter of the FOV, 60 degrees long) is drawn, anti-aliased (coverage of 8 x
8 samples per pixel) or binary (pixel centres inside). The drawn width is
the drawn area over the length of the middle line: binary drawings at 45
degrees hold whole diagonals of pixels, 0.707 px apart, so their drawn width
differs from the nominal one. The measured width is that of the longest
segment; with ``--morphology``, the ``caliber_median`` of
:class:`~setr_fundus.evaluation.VesselMorphology` (``vessel_morphology.py``),
FOV the inscribed circle, in the drawing's pixels (divided by ``scale``), of
the binary drawings (the tool reads binary masks).
"""
import argparse
import os.path as osp
import sys
from typing import Dict, List, Tuple

import numpy as np

from setr_fundus.datasets.fov_geometry import FOVCircle
from setr_fundus.evaluation import VesselMorphology
from setr_fundus.evaluation.vessel_calibre import measure_segments

# the drawings are the tests' (tests/ is no installed package)
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from tests.test_evaluation.calibre_drawings import (  # isort:skip # noqa: E402,E501
    draw_arc, draw_bar)

WIDTHS = (2, 3, 4, 6, 8, 10, 12)
FOVS = (400, 1000, 2000, 3000)
SHAPES = ('0', '90', '17', '45', 'arc')
ARC_DEGREES = 60.0
# off the pixel grid, so that no edge of an axis-parallel bar falls on a
# row of pixel centres
OFFSET = (0.3, 0.2)


def drawn(fov: int, shape: str, width: float,
          antialiased: bool) -> Tuple[np.ndarray, float]:
    """One drawing and its drawn width (area / middle-line length)."""
    side = (fov, fov)
    centre = (fov / 2 + OFFSET[0], fov / 2 + OFFSET[1])
    if shape == 'arc':
        start = 90.0 - ARC_DEGREES / 2
        image = draw_arc(side, centre, fov / 4, start, start + ARC_DEGREES,
                         width, antialiased)
        length = np.deg2rad(ARC_DEGREES) * fov / 4
    else:
        image = draw_bar(side, centre, float(shape), fov / 4, width,
                         antialiased)
        length = fov / 4
    return image, float(image.sum() / length)


def measured(image: np.ndarray) -> float:
    """The width of the longest segment, in pixels."""
    segments = measure_segments(image)
    longest = max(segments, key=lambda segment: len(segment.coords))
    return longest.width


def morphology_caliber(image: np.ndarray) -> float:
    """``VesselMorphology``'s median caliber in the drawing's pixels."""
    side = image.shape[0]
    features = VesselMorphology()(
        image.astype(np.uint8),
        circle=FOVCircle((side - 1) / 2, (side - 1) / 2, float(side)))
    return features['caliber_median'] / features['scale']


def sweep(
    morphology: bool = False
) -> Dict[Tuple[int, str, bool], List[Tuple[float, float]]]:
    """(fov, shape, antialiased) -> [(drawn, measured) per width]."""
    table = {}
    read = morphology_caliber if morphology else measured
    for fov in FOVS:
        for shape in SHAPES:
            for antialiased in (False, ) if morphology else (True, False):
                row = []
                for width in WIDTHS:
                    image, drawn_width = drawn(fov, shape, width, antialiased)
                    row.append((drawn_width, read(image)))
                table[fov, shape, antialiased] = row
                print(f'{fov} {shape} {antialiased} done', file=sys.stderr)
    return table


def markdown(table: Dict[Tuple[int, str, bool], List[Tuple[float,
                                                           float]]]) -> str:
    """The table: measured width (its error against the drawn width)."""
    lines = [
        '| FOV px | shape | drawing | ' +
        ' | '.join(f'{w} px' for w in WIDTHS) + ' |',
        '|---|---|---|' + '---|' * len(WIDTHS)
    ]
    worst_drawn, worst_nominal = 0.0, 0.0
    for (fov, shape, antialiased), row in table.items():
        cells = []
        for width, (drawn_width, width_read) in zip(WIDTHS, row):
            error = 100 * (width_read / drawn_width - 1)
            worst_drawn = max(worst_drawn, abs(error))
            worst_nominal = max(worst_nominal,
                                abs(100 * (width_read / width - 1)))
            cell = f'{width_read:.2f} ({error:+.1f} %)'
            if abs(drawn_width / width - 1) > 0.01:
                cell = f'{cell}, drawn {drawn_width:.2f}'
            cells.append(cell)
        name = 'arc' if shape == 'arc' else f'bar {shape} deg'
        style = 'anti-aliased' if antialiased else 'binary'
        lines.append(f'| {fov} | {name} | {style} | ' + ' | '.join(cells) +
                     ' |')
    lines.append('')
    lines.append(f'Largest error against the drawn width: {worst_drawn:.1f} '
                 f'%; against the nominal width: {worst_nominal:.1f} %.')
    return '\n'.join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        '--morphology',
        action='store_true',
        help='read caliber_median of VesselMorphology instead')
    print(markdown(sweep(parser.parse_args().morphology)))


if __name__ == '__main__':
    main()
