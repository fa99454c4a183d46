"""FundusVesselDataset: retinal-vessel sets as their archives unpack."""
from typing import List, Optional, Union

from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from .fundus_io import HIGH_DEPTH_MODES, read_header
from .holdout import check_holdout, holdout_split
from .label_rules import LABEL_RULES, check_rule_classes
from .layouts import (SPLITS, SampleFiles, detect_layout, get_layout,
                      layout_names, list_samples)


@DATASETS.register_module()
class FundusVesselDataset(BaseSegDataset):
    """Retinal-vessel segmentation on DRIVE, CHASE_DB1, STARE, HRF, RITE or
    plain ``images/ labels/ [masks/]`` folders: it lists the samples and
    checks them; the pipeline loads them.

    The layout is detected from ``data_root`` (see
    :mod:`setr_fundus.datasets.layouts` for what each expects; training and
    test parts follow mmsegmentation's converters). Each layout lists the
    maps of a sample (``vessel``, RITE's ``av``, the FOV mask) and the label
    rule decoding each (:mod:`setr_fundus.datasets.label_rules`);
    ``seg_map`` picks the training label, whose rule must decode into the
    dataset's ``METAINFO`` classes (binary vessel here, artery/vein in
    :class:`~setr_fundus.datasets.FundusArteryVeinDataset`). A
    ``metainfo=dict(classes=...)`` subset remaps the classes as in mmseg
    (``label_map``, applied by ``LoadFundusAnnotations``).

    The public sets have no validation part, so ``split='val'`` is the last
    ``holdout`` images of the training part and ``split='train'`` the rest:
    the test part is only ever ``split='test'`` (a folder with its own
    ``val/`` validates on it and trains on all of ``train/``).

    At construction every file's header is read (not its pixels): unpaired
    files, files that are not images, photographs of more than 8 bits per
    channel and label/mask sizes that differ from the image's raise here,
    naming the files, rather than mid-epoch. Pixels are decoded by the
    pipeline, in the data-loader workers: mmcv's ``LoadImageFromFile``
    (``imdecode_backend='pillow'``, which reads GIF and PPM, with
    ``backend_args=dict(backend='local_gzip')`` for ``.gz`` files) and
    :class:`~setr_fundus.datasets.LoadFundusAnnotations`, which decodes the
    label by its rule. An error while a sample is loaded names its image.
    Repeat the set within an epoch with mmengine's ``RepeatDataset``.

    Each data info holds ``img_path``, ``seg_map_path`` (the ``seg_map``
    file), ``label_rule`` (its rule's name), ``fov_path`` (None where the
    FOV is derived from the image), ``map_paths`` (every map of the sample
    by name, e.g. ``vessel``, ``av``, ``fov``), ``label_map``,
    ``sample_idx``, ``reduce_zero_label`` (False) and ``seg_fields`` ([]).

    Args:
        data_root (str): Folder of the unpacked set. Defaults to ''.
        split (str): 'train' (the training part without the held-out
            images), 'val' (the held-out images) or 'test' (the test part).
            Defaults to 'train'.
        layout (str): 'auto' (detect from ``data_root``), 'drive',
            'chase_db1', 'stare', 'hrf', 'rite' or 'folder'. Defaults to
            'auto'.
        seg_map (str, optional): The map that is the label, e.g. 'vessel'
            or (RITE, folders) 'av'. Defaults to None (``DEFAULT_SEG_MAP``,
            'vessel').
        annotator (int): Observer whose label to read where a set has two
            (DRIVE 1st_manual/2nd_manual, CHASE_DB1 _1stHO/_2ndHO, STARE
            .ah/.vk). Defaults to 1.
        holdout (int | float): Validation images held out of the training
            part: a count, or a fraction of it (at least one image when
            > 0); 0 trains on the whole training part and leaves 'val'
            empty (an error). Defaults to 0.2 (DRIVE 16/4, CHASE_DB1 16/4,
            STARE 8/2, HRF 12/3).
        **kwargs: Further ``BaseSegDataset`` arguments (``pipeline``,
            ``test_mode``, ``lazy_init``, ``indices``, ``metainfo``, ...).
    """
    METAINFO = LABEL_RULES['binary'].metainfo
    #: The map read as the label unless ``seg_map`` says otherwise.
    DEFAULT_SEG_MAP = 'vessel'

    def __init__(self,
                 data_root: str = '',
                 split: str = 'train',
                 layout: str = 'auto',
                 annotator: int = 1,
                 holdout: Union[int, float] = 0.2,
                 seg_map: Optional[str] = None,
                 **kwargs) -> None:
        if split not in SPLITS:
            raise ValueError(f'split must be one of {SPLITS}, got {split!r}')
        layouts = ('auto', *layout_names())
        if layout not in layouts:
            raise ValueError(
                f'layout must be one of {layouts}, got {layout!r}')
        if annotator not in (1, 2):
            raise ValueError(f'annotator must be 1 or 2, got {annotator!r}')
        check_holdout(holdout)
        self.split = split
        self.layout = layout
        self.annotator = annotator
        self.holdout = holdout
        self.seg_map = seg_map or self.DEFAULT_SEG_MAP
        self.resolved_layout: Optional[str] = None
        super().__init__(data_root=data_root, **kwargs)

    def load_data_list(self) -> List[dict]:
        """List the split's samples and check their headers.

        Returns:
            list[dict]: Data infos as listed in the class docstring.
        """
        self.resolved_layout = (
            detect_layout(self.data_root)
            if self.layout == 'auto' else self.layout)
        layout = get_layout(self.resolved_layout)
        if self.seg_map not in layout.maps:
            raise ValueError(
                f'layout {self.resolved_layout!r} has the maps '
                f'{tuple(layout.maps)}; seg_map={self.seg_map!r} is not one')
        label_rule = layout.maps[self.seg_map]
        check_rule_classes(
            label_rule, self.METAINFO['classes'],
            f'map {self.seg_map!r} of layout {self.resolved_layout!r}')

        def part_files(part):
            return list_samples(self.resolved_layout, self.data_root, part,
                                self.annotator)

        own_val = layout.has_own_val(self.data_root)
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
                    f'({self.data_root}); set holdout > 0 for a validation '
                    'loader')
        for sample in files:
            check_sample_headers(sample)
        return [
            dict(
                img_path=sample['img'],
                seg_map_path=sample[self.seg_map],
                label_rule=label_rule,
                fov_path=sample['fov'],
                map_paths={k: v
                           for k, v in sample.items() if k != 'img'},
                label_map=self.label_map,
                reduce_zero_label=False,
                seg_fields=[]) for sample in files
        ]

    def prepare_data(self, idx: int) -> Optional[dict]:
        """Run the pipeline on sample ``idx``; an error names its image.

        Args:
            idx (int): Sample index.

        Returns:
            dict: The pipeline's results.
        """
        try:
            return super().prepare_data(idx)
        except Exception as err:
            path = self.get_data_info(idx)['img_path']
            raise RuntimeError(
                f'cannot load sample {idx} ({path}): '
                f'{type(err).__name__}: {err}') from err


def check_sample_headers(sample: SampleFiles) -> None:
    """Check one sample from its file headers (no pixel is decoded).

    Args:
        sample (dict): ``img`` (the photograph) and its maps (labels, FOV
            mask; None where absent).

    Raises:
        FileNotFoundError: A file is missing.
        ValueError: A file is not an image, the photograph has more than 8
            bits per channel, or a label or mask differs from its size.
    """
    img_path = sample['img']
    size, mode = read_header(img_path, 'image')
    if mode in HIGH_DEPTH_MODES:  # mmcv's LoadImageFromFile would clip them
        raise ValueError(
            f'image {img_path} has {mode!r} pixels (more than 8 bits per '
            'channel); convert it to an 8-bit RGB file first')
    checked = set()
    for name, path in sample.items():
        if name == 'img' or path is None or path in checked:
            continue
        checked.add(path)
        kind = 'FOV mask' if name == 'fov' else f'{name} label'
        other, _ = read_header(path, kind)
        if other != size:
            raise ValueError(
                f'{kind} {path} has size {other} (HxW) but image '
                f'{img_path} has size {size}')
