"""Agreement of find_optic_disc with the two disc references of DRIVE's 20
training photographs (docs/optic_disc.md).

For every photograph and each vessel map (the manual label ``1st_manual``;
none, so the crude top-hat map stands in) it prints the distance of the
centre found to each reference centre in that reference's radii (inside
the reference disc when <= 1), and the diameter found over each
reference's diameter; a summary line per vessel map counts the
photographs inside both discs. With ``--overlay-dir`` it also writes each
photograph with both references (green: by eye, blue: TW-GAN) and the disc
found (red).

Usage::

    python .dev_scripts/optic_disc_drive.py \
        --data-root /work/shared/data [--overlay-dir /tmp/od_drive]
"""
import argparse
import csv
import os
import os.path as osp
from typing import Dict, Tuple

import cv2
import numpy as np

from setr_fundus.datasets import PhotoLoader
from setr_fundus.datasets.fundus_io import read_fov, read_label
from setr_fundus.evaluation.optic_disc import OpticDisc, find_optic_disc

Reference = Tuple[float, float, float]  # cx, cy, radius


def read_references(disc_dir: str) -> Tuple[Dict[str, Reference], ...]:
    """By-eye and TW-GAN references: image name -> (cx, cy, radius)."""
    with open(osp.join(disc_dir, 'DRIVE_train_discs_by_eye.csv')) as f:
        by_eye = {
            row['image']: (float(row['cx']), float(row['cy']),
                           float(row['diameter']) / 2)
            for row in csv.DictReader(f)
        }
    with open(osp.join(disc_dir, 'DiskParameters_DRIVE_Train.csv')) as f:
        tw_gan = {
            row['ImgID']: (float(row['DiskCenterCol']),
                           float(row['DiskCenterRow']),
                           float(row['DiskRadius']))
            for row in csv.DictReader(f)
        }
    return by_eye, tw_gan


def compare(disc: OpticDisc, reference: Reference) -> Tuple[float, float]:
    """Centre distance in reference radii and the diameter ratio."""
    cx, cy, radius = reference
    return (float(np.hypot(disc.cx - cx, disc.cy - cy) / radius),
            disc.diameter / (2 * radius))


def draw_overlay(img: np.ndarray, disc: OpticDisc,
                 references: Tuple[Reference, ...], path: str) -> None:
    """Write ``img`` with the references and the disc found."""
    canvas = img.copy()
    for (cx, cy, radius), colour in zip(references,
                                        ((0, 255, 0), (255, 0, 0))):
        cv2.circle(canvas, (int(round(cx)), int(round(cy))),
                   int(round(radius)), colour, 1)
    centre = (int(round(disc.cx)), int(round(disc.cy)))
    cv2.circle(canvas, centre, int(round(disc.diameter / 2)), (0, 0, 255),
               2)
    cv2.drawMarker(canvas, centre, (0, 0, 255), cv2.MARKER_CROSS, 12, 2)
    cv2.imwrite(path, canvas)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--data-root', default='/work/shared/data')
    parser.add_argument('--overlay-dir', default=None)
    args = parser.parse_args()
    drive = osp.join(args.data_root, 'DRIVE', 'training')
    by_eye, tw_gan = read_references(osp.join(args.data_root, 'discs'))
    if args.overlay_dir:
        os.makedirs(args.overlay_dir, exist_ok=True)
    print('vessels image found confidence dist_eye dist_twgan inside_both '
          'diam/eye diam/twgan reason')
    for source in ('manual', 'none'):
        inside_both, ratios = 0, []
        for name in sorted(by_eye):
            stem = name.split('_')[0]
            img = PhotoLoader.default()(osp.join(drive, 'images', name))
            fov = read_fov(
                osp.join(drive, 'mask', f'{stem}_training_mask.gif'))
            vessels = (read_label(
                osp.join(drive, '1st_manual', f'{stem}_manual1.gif'))
                       if source == 'manual' else None)
            disc = find_optic_disc(img, fov, vessels, name)
            (d_eye, r_eye), (d_tw, r_tw) = (compare(disc, by_eye[name]),
                                            compare(disc, tw_gan[name]))
            both = d_eye <= 1 and d_tw <= 1
            inside_both += both
            ratios.append((r_eye, r_tw))
            print(f'{source} {stem} {disc.found} {disc.confidence:.2f} '
                  f'{d_eye:.2f} {d_tw:.2f} {both} {r_eye:.2f} {r_tw:.2f} '
                  f'{disc.reason!r}')
            if args.overlay_dir:
                draw_overlay(
                    img, disc, (by_eye[name], tw_gan[name]),
                    osp.join(args.overlay_dir, f'{stem}_{source}.png'))
        median = np.median(ratios, axis=0)
        print(f'# {source}: centre inside both reference discs in '
              f'{inside_both}/{len(by_eye)}; median diameter ratio '
              f'{median[0]:.2f} (by eye) {median[1]:.2f} (TW-GAN)')


if __name__ == '__main__':
    main()
