"""HRF: per category (dr, g, h) the first 5 train, the rest test."""
import os.path as osp
from typing import List

from .base import (FUNDUS_LAYOUTS, FundusLayout, SampleFiles, existing,
                   has_dirs, pair, require_dir, scan, take)

HRF_TRAIN_PER_CATEGORY = 5


@FUNDUS_LAYOUTS.register_module(name='hrf')
class HRFLayout(FundusLayout):
    """HRF as it unpacks; the training part is listed by number, then
    category (01_dr, 01_g, 01_h, 02_dr, ...)."""
    expects = 'images/01_dr.JPG + manual1/01_dr.tif (+ mask/01_dr_mask.tif)'

    def detect(self, root: str) -> bool:
        return has_dirs(root, 'images', 'manual1')

    def list_part(self, root: str, part: str,
                  annotator: int) -> List[SampleFiles]:
        img_dir = require_dir('HRF', osp.join(root, 'images'), 'image')
        label_dir = require_dir('HRF', osp.join(root, 'manual1'), 'label')
        images = scan(img_dir, r'(\d+_(?:dr|g|h))\.jpe?g')
        labels = scan(label_dir, r'(\d+_(?:dr|g|h))\.tiff?')
        keys = pair('HRF', images, labels,
                    lambda k: osp.join(label_dir, f'{k}.tif'),
                    lambda k: osp.join(img_dir, f'{k}.jpg'))
        selected = []
        for category in ('dr', 'g', 'h'):
            in_category = [
                k for k in keys if k.lower().endswith('_' + category)
            ]
            selected += take(in_category, HRF_TRAIN_PER_CATEGORY, part)
        if part == 'train':  # by number, then category
            selected.sort(
                key=lambda k: (k.split('_')[0], k.split('_')[1].lower()))
        return [
            dict(
                img=images[k],
                vessel=labels[k],
                fov=existing(osp.join(root, 'mask', f'{k}_mask.tif')))
            for k in selected
        ]
