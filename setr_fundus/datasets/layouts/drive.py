"""DRIVE: ``training/`` and ``test/``, 20/20."""
import os.path as osp
from typing import List

from .base import (FUNDUS_LAYOUTS, FundusLayout, SampleFiles, existing,
                   has_dirs, pair, require_dir, scan)


@FUNDUS_LAYOUTS.register_module(name='drive')
class DriveLayout(FundusLayout):
    """DRIVE as it unpacks; observer 2 in ``2nd_manual/``."""
    expects = ('training/images/21_training.tif + training/1st_manual/'
               '21_manual1.gif (+ training/mask/21_training_mask.gif), and '
               'test/ likewise with 01_test.tif')
    annotators = 2

    def detect(self, root: str) -> bool:
        return any(
            has_dirs(osp.join(root, part), 'images', '1st_manual')
            for part in ('training', 'test'))

    def list_part(self, root: str, part: str,
                  annotator: int) -> List[SampleFiles]:
        folder = 'training' if part == 'train' else 'test'
        manual = ('1st', '2nd')[annotator - 1] + '_manual'
        img_dir = require_dir('DRIVE', osp.join(root, folder, 'images'),
                              'image')
        label_dir = require_dir('DRIVE', osp.join(root, folder, manual),
                                f'label (annotator={annotator})')
        images = scan(img_dir, r'(\d+)_(?:training|test)\.tiff?')
        labels = scan(label_dir, rf'(\d+)_manual{annotator}\.gif')
        keys = pair(
            'DRIVE', images, labels,
            lambda k: osp.join(label_dir, f'{k}_manual{annotator}.gif'),
            lambda k: osp.join(img_dir, f'{k}_{folder}.tif'))
        return [
            dict(
                img=images[k],
                vessel=labels[k],
                fov=existing(
                    osp.join(root, folder, 'mask', f'{k}_{folder}_mask.gif')))
            for k in keys
        ]
