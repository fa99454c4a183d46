"""STARE: images sorted by name, first 10 train, the rest (10) test."""
from typing import List

from .base import (FUNDUS_LAYOUTS, FundusLayout, SampleFiles, any_file, pair,
                   scan, take)

STARE_TRAIN = 10
_STARE_IMAGE = r'(im\d+)\.ppm(?:\.gz)?'


@FUNDUS_LAYOUTS.register_module(name='stare')
class StareLayout(FundusLayout):
    """STARE as it unpacks (``.ppm`` or ``.ppm.gz``, in one folder or the
    archives' subfolders); observer 2 is ``.vk``; FOV derived."""
    expects = ('im0001.ppm[.gz] + im0001.ah.ppm[.gz] (and .vk.ppm[.gz]) '
               'anywhere below data_root')
    annotators = 2

    def detect(self, root: str) -> bool:
        return any_file(root, _STARE_IMAGE)

    def list_part(self, root: str, part: str,
                  annotator: int) -> List[SampleFiles]:
        tag = ('ah', 'vk')[annotator - 1]
        images = scan(root, _STARE_IMAGE, recursive=True)
        labels = scan(root, rf'(im\d+)\.{tag}\.ppm(?:\.gz)?', recursive=True)
        keys = pair('STARE', images, labels,
                    lambda k: f'{k}.{tag}.ppm[.gz] below {root}',
                    lambda k: f'{k}.ppm[.gz] below {root}')
        return [
            dict(img=images[k], vessel=labels[k], fov=None)
            for k in take(keys, STARE_TRAIN, part)
        ]
