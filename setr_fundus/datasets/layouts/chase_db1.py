"""CHASE_DB1: images sorted by name, first 20 train, the rest (8) test."""
import os.path as osp
from typing import List

from .base import (FUNDUS_LAYOUTS, FundusLayout, SampleFiles, any_file, pair,
                   scan, take)

CHASE_DB1_TRAIN = 20
_CHASE_IMAGE = r'(Image_\d+[LR])\.jpe?g'


@FUNDUS_LAYOUTS.register_module(name='chase_db1')
class ChaseDB1Layout(FundusLayout):
    """CHASE_DB1 as it unpacks, anywhere below ``data_root``; FOV
    derived."""
    expects = ('Image_01L.jpg + Image_01L_1stHO.png (and _2ndHO.png) '
               'anywhere below data_root')
    annotators = 2

    def detect(self, root: str) -> bool:
        return any_file(root, _CHASE_IMAGE)

    def list_part(self, root: str, part: str,
                  annotator: int) -> List[SampleFiles]:
        tag = ('1stHO', '2ndHO')[annotator - 1]
        images = scan(root, _CHASE_IMAGE, recursive=True)
        labels = scan(root, rf'(Image_\d+[LR])_{tag}\.png', recursive=True)
        keys = pair(
            'CHASE_DB1', images, labels,
            lambda k: osp.join(osp.dirname(images[k]), f'{k}_{tag}.png'),
            lambda k: osp.join(osp.dirname(labels[k]), f'{k}.jpg'))
        return [
            dict(img=images[k], vessel=labels[k], fov=None)
            for k in take(keys, CHASE_DB1_TRAIN, part)
        ]
