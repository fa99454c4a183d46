"""RITE: DRIVE's photographs with artery/vein labels, 20/20."""
import os.path as osp
from typing import List

from .base import (FUNDUS_LAYOUTS, FundusLayout, SampleFiles, has_dirs, pair,
                   require_dir, scan)


@FUNDUS_LAYOUTS.register_module(name='rite')
class RITELayout(FundusLayout):
    """RITE as it unpacks: ``training/`` (21-40) and ``test/`` (01-20),
    each with ``images/21_training.tif``, ``av/21_training.png`` (artery
    red, vein blue, crossing green, uncertain white) and
    ``vessel/21_training.png`` (0/255); no FOV masks (derived).
    """
    expects = ('training/images/21_training.tif + training/av/'
               '21_training.png + training/vessel/21_training.png, and test/ '
               'likewise with 01_test')
    maps = dict(vessel='binary', av='artery_vein_colours')

    def detect(self, root: str) -> bool:
        return any(
            has_dirs(osp.join(root, part), 'images', 'av')
            for part in ('training', 'test'))

    def list_part(self, root: str, part: str,
                  annotator: int) -> List[SampleFiles]:
        folder = osp.join(root, 'training' if part == 'train' else 'test')
        img_dir = require_dir('RITE', osp.join(folder, 'images'), 'image')
        images = scan(img_dir, r'(\d+_(?:training|test))\.tiff?')
        samples = [dict(img=images[k], fov=None) for k in sorted(images)]
        for name in self.maps:
            map_dir = require_dir('RITE', osp.join(folder, name),
                                  f'{name} label')
            labels = scan(map_dir, r'(\d+_(?:training|test))\.png')
            keys = pair(f'RITE ({name})', images, labels,
                        lambda k: osp.join(map_dir, f'{k}.png'),
                        lambda k: osp.join(img_dir, f'{k}.tif'))
            for sample, key in zip(samples, keys):
                sample[name] = labels[key]
        return samples
