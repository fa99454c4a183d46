"""A plain folder: ``images/`` + ``labels/`` (+ ``masks/``)."""
import os.path as osp
from typing import Dict, List

from ...fileio import IMAGE_SUFFIX_PATTERN
from .base import (FUNDUS_LAYOUTS, FundusLayout, SampleFiles, has_dirs, pair,
                   require_dir, scan)

_PARTS = ('train', 'val', 'test')


@FUNDUS_LAYOUTS.register_module(name='folder')
class FolderLayout(FundusLayout):
    """Images and labels matched by file stem, under ``data_root/train/``
    and ``data_root/test/`` when those exist (an optional
    ``data_root/val/`` is a validation part of its own), else directly
    under ``data_root`` for both parts.

    ``labels/`` holds the label the dataset asks for: binary vessel labels
    (map ``vessel``) or artery/vein labels (map ``av``), colour-coded as
    RITE's or index-coded (0 background, 1 artery, 2 vein, 3 crossing or
    uncertain). Masks may be named ``<stem>_mask``. Detected only where no
    other layout matches.
    """
    expects = ('images/ + labels/ (+ masks/) with matching file stems, '
               'optionally under train/, val/, test/')
    maps = dict(vessel='binary', av='artery_vein')
    generic = True

    def detect(self, root: str) -> bool:
        bases = [root] + [osp.join(root, part) for part in _PARTS]
        return any(has_dirs(base, 'images', 'labels') for base in bases)

    def has_own_val(self, root: str) -> bool:
        return osp.isdir(osp.join(root, 'val', 'images'))

    def list_part(self, root: str, part: str,
                  annotator: int) -> List[SampleFiles]:
        split_base = osp.join(root, part)
        base = split_base if osp.isdir(osp.join(split_base,
                                                'images')) else root
        img_dir = require_dir('folder', osp.join(base, 'images'), 'image')
        label_dir = require_dir('folder', osp.join(base, 'labels'), 'label')
        images = scan(img_dir, r'(.+?)' + IMAGE_SUFFIX_PATTERN)
        labels = scan(label_dir, r'(.+?)' + IMAGE_SUFFIX_PATTERN)
        keys = pair('folder', images, labels,
                    lambda k: osp.join(label_dir, f'{k}.<ext>'),
                    lambda k: osp.join(img_dir, f'{k}.<ext>'))
        masks: Dict[str, str] = {}
        mask_dir = osp.join(base, 'masks')
        if osp.isdir(mask_dir):
            masks = scan(mask_dir, r'(.+?)(?:_mask)?' + IMAGE_SUFFIX_PATTERN)
        return [
            dict(
                img=images[k],
                vessel=labels[k],
                av=labels[k],
                fov=masks.get(k)) for k in keys
        ]
