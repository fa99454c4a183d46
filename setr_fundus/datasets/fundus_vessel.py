"""FundusVesselDataset: retinal-vessel sets as their archives unpack."""
from typing import Dict, List, Optional, Tuple, Union

import numpy as np
from mmengine.dataset import force_full_init
from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from .fundus_io import read_sample
from .layouts import (LAYOUTS, SPLITS, check_holdout, detect_layout,
                      folder_has_part, holdout_split, list_samples)
from .synthetic import DRIVE_SIZE, generate_fundus, synthetic_sample_seed

Arrays = Tuple[np.ndarray, np.ndarray, np.ndarray]
_FILE_LOADERS = ('LoadImageFromFile', 'mmcv.LoadImageFromFile')
SYNTHETIC_DEFAULTS = dict(num_train=20, num_test=20, size=DRIVE_SIZE, seed=0)


@DATASETS.register_module()
class FundusVesselDataset(BaseSegDataset):
    """Retinal-vessel segmentation on DRIVE, CHASE_DB1, STARE, HRF, plain
    ``images/ labels/ [masks/]`` folders, or a built-in synthetic set.

    The layout is detected from ``data_root`` (see
    :mod:`setr_fundus.datasets.layouts` for what each expects; training and
    test parts follow mmsegmentation's converters). The public sets have no
    validation part, so ``split='val'`` is the last ``holdout`` images of
    the training part and ``split='train'`` the rest: the test part is only
    ever ``split='test'`` (a folder with its own ``val/`` validates on it
    and trains on all of ``train/``). Every sample is decoded once at
    construction, which validates it: unpaired files, undecodable files,
    non-binary labels and label/image size mismatches raise here, naming
    the files, rather than mid-epoch. With ``cache=True`` those decoded
    arrays are kept on the dataset (not in ``data_list``, so serialization
    does not copy them) and every access hands out copies, so later epochs
    decode nothing.

    Each data info holds ``img_path``, ``seg_map_path``, ``fov_path`` (None
    where the FOV is derived by thresholding the image), ``sample_idx``,
    ``reduce_zero_label`` (False), ``seg_fields`` ([]) and, when cached or
    synthetic, copies of the arrays under ``img`` (uint8 HxWx3 BGR),
    ``gt_seg_map`` and ``gt_fov_mask`` (uint8 HxW in {0, 1}).

    Pipelines start as mmseg's do, with ``LoadImageFromFile`` followed by
    ``LoadFundusAnnotations``. The dataset runs each ``LoadImageFromFile``
    of its pipeline as :class:`~setr_fundus.datasets.LoadFundusImage`,
    which takes the cached (or synthetic) image and otherwise decodes the
    file with the same reader as the validation here, so GIF and ``.gz``
    images load too; ``LoadFundusAnnotations`` takes the cached label and
    FOV mask. The same configs then also serve mmseg's inference APIs,
    which look for ``LoadImageFromFile`` in the test pipeline.

    Args:
        data_root (str): Folder of the unpacked set; unused for
            ``layout='synthetic'``. Defaults to ''.
        split (str): 'train' (the training part without the held-out
            images), 'val' (the held-out images) or 'test' (the test part).
            Defaults to 'train'.
        layout (str): 'auto' (detect from ``data_root``), 'drive',
            'chase_db1', 'stare', 'hrf', 'folder' or 'synthetic'.
            Defaults to 'auto'.
        annotator (int): Observer whose label to read where a set has two
            (DRIVE 1st_manual/2nd_manual, CHASE_DB1 _1stHO/_2ndHO, STARE
            .ah/.vk). Defaults to 1.
        holdout (int | float): Validation images held out of the training
            part: a count, or a fraction of it (at least one image when
            > 0); 0 trains on the whole training part and leaves 'val'
            empty (an error). Defaults to 0.2 (DRIVE 16/4, CHASE_DB1 16/4,
            STARE 8/2, HRF 12/3).
        repeat_times (int): Times the set is repeated per epoch, by index
            modulo (no copies). Defaults to 1.
        cache (bool): Keep the decoded arrays in memory. Without it, the
            files are only validated at construction and decoded again by
            the loading transforms on every access. The synthetic layout is
            always held in memory. Defaults to True.
        synthetic (dict, optional): Settings of ``layout='synthetic'``:
            ``num_train`` (20, for 'train' and 'val'), ``num_test`` (20),
            ``size`` ((584, 565), H x W) and ``seed`` (0); the same values
            passed to ``tools/misc/make_synthetic_fundus.py`` write the same
            images. Defaults to None (those defaults).
        pipeline (list): Processing pipeline; its ``LoadImageFromFile``
            steps run as ``LoadFundusImage``. Defaults to [].
        test_mode (bool): Test phase flag. Defaults to False.
        serialize_data (bool): Serialize the data list (see mmengine's
            ``BaseDataset``). Defaults to True.
        lazy_init (bool): Defer listing and decoding until first use.
            Defaults to False.
        **kwargs: Further ``BaseSegDataset`` arguments (``indices``,
            ``metainfo``, ``ignore_index``, ...).
    """
    METAINFO = dict(
        classes=('background', 'vessel'), palette=[[0, 0, 0], [255, 255, 255]])

    def __init__(self,
                 data_root: str = '',
                 split: str = 'train',
                 layout: str = 'auto',
                 annotator: int = 1,
                 holdout: Union[int, float] = 0.2,
                 repeat_times: int = 1,
                 cache: bool = True,
                 synthetic: Optional[dict] = None,
                 pipeline: Optional[List] = None,
                 test_mode: bool = False,
                 serialize_data: bool = True,
                 lazy_init: bool = False,
                 **kwargs) -> None:
        if split not in SPLITS:
            raise ValueError(f'split must be one of {SPLITS}, got {split!r}')
        layouts = ('auto', *LAYOUTS, 'synthetic')
        if layout not in layouts:
            raise ValueError(
                f'layout must be one of {layouts}, got {layout!r}')
        if annotator not in (1, 2):
            raise ValueError(f'annotator must be 1 or 2, got {annotator!r}')
        if not isinstance(repeat_times, int) or repeat_times < 1:
            raise ValueError(
                f'repeat_times must be an int >= 1, got {repeat_times!r}')
        check_holdout(holdout)
        unknown = set(synthetic or {}) - set(SYNTHETIC_DEFAULTS)
        if unknown:
            raise ValueError(f'unknown synthetic setting(s) {sorted(unknown)}'
                             f'; expected keys {list(SYNTHETIC_DEFAULTS)}')
        self.split = split
        self.layout = layout
        self.annotator = annotator
        self.holdout = holdout
        self.repeat_times = repeat_times
        self.cache = cache
        self.synthetic = {**SYNTHETIC_DEFAULTS, **(synthetic or {})}
        self.resolved_layout: Optional[str] = None
        self._arrays: Dict[str, Arrays] = {}
        self._synthetic_seeds: Dict[str, int] = {}
        super().__init__(
            data_root=data_root,
            pipeline=[_serve_decoded(t) for t in pipeline or []],
            test_mode=test_mode,
            serialize_data=serialize_data,
            lazy_init=lazy_init,
            **kwargs)

    def load_data_list(self) -> List[dict]:
        """List the split's samples (paths only; see ``full_init``).

        Returns:
            list[dict]: Data infos with ``img_path``, ``seg_map_path``,
            ``fov_path``, ``label_map``, ``reduce_zero_label`` and
            ``seg_fields``.
        """
        if self.layout == 'synthetic':
            self.resolved_layout = 'synthetic'
            part_files = self._synthetic_files
        else:
            self.resolved_layout = (
                detect_layout(self.data_root)
                if self.layout == 'auto' else self.layout)

            def part_files(part):
                return list_samples(self.resolved_layout, self.data_root,
                                    part, self.annotator)

        own_val = self.resolved_layout == 'folder' and folder_has_part(
            self.data_root, 'val')
        if self.split == 'test' or (self.split == 'val' and own_val):
            files = part_files(self.split)
        elif own_val:
            files = part_files('train')
        else:
            train, held_out = holdout_split(part_files('train'), self.holdout)
            files = train if self.split == 'train' else held_out
            if not files:
                raise ValueError(
                    f"split='val' holds the images held out of the training "
                    f'part, and holdout={self.holdout!r} holds none out '
                    f'({self.data_root or "synthetic"}); set holdout > 0 '
                    'for a validation loader')
        return [
            dict(
                img_path=img,
                seg_map_path=label,
                fov_path=fov,
                label_map=self.label_map,
                reduce_zero_label=False,
                seg_fields=[]) for img, label, fov in files
        ]

    def _synthetic_files(self, part: str) -> List[Tuple[str, str, None]]:
        """Names and seeds of a synthetic part (nothing on disk)."""
        count = self.synthetic[f'num_{part}']
        if count < 1:
            raise ValueError(f'synthetic num_{part} must be >= 1, got {count}')
        files = []
        for index in range(count):
            name = f'synthetic://{part}/{index:03d}'
            self._synthetic_seeds[name + '.png'] = synthetic_sample_seed(
                self.synthetic['seed'], part, index)
            files.append((name + '.png', name + '_label.png', None))
        return files

    def full_init(self) -> None:
        """List the samples, then decode each once to validate it, keeping
        the arrays when caching (or synthetic)."""
        if self._fully_initialized:
            return
        super().full_init()
        keep = self.cache or self.resolved_layout == 'synthetic'
        self._arrays = {}
        for idx in range(super().__len__()):
            info = super().get_data_info(idx)
            seed = self._synthetic_seeds.get(info['img_path'])
            if seed is not None:
                arrays = generate_fundus(seed, tuple(self.synthetic['size']))
            else:
                arrays = read_sample(info['img_path'], info['seg_map_path'],
                                     info['fov_path'])
            if keep:
                self._arrays[info['img_path']] = arrays

    @force_full_init
    def __len__(self) -> int:
        """Number of samples per epoch: ``repeat_times`` x the split size."""
        return super().__len__() * self.repeat_times

    @force_full_init
    def get_data_info(self, idx: int) -> dict:
        """Data info of sample ``idx`` modulo the split size, with copies of
        the cached arrays when there are any.

        Args:
            idx (int): Index in ``[-len(self), len(self))``.

        Returns:
            dict: The data info (see the class docstring).
        """
        size = super().__len__()
        if not -size * self.repeat_times <= idx < size * self.repeat_times:
            raise IndexError(f'index {idx} out of range for a dataset of '
                             f'length {size * self.repeat_times}')
        info = super().get_data_info(idx % size)
        arrays = self._arrays.get(info['img_path'])
        if arrays is not None:
            info['img'], info['gt_seg_map'], info['gt_fov_mask'] = (
                array.copy() for array in arrays)
        return info


def _serve_decoded(transform):
    """A ``LoadImageFromFile`` config becomes ``LoadFundusImage``'s, which
    takes the image the dataset decoded; anything else is kept."""
    if isinstance(transform, dict) and transform.get('type') in _FILE_LOADERS:
        return dict(transform, type='LoadFundusImage')
    return transform
