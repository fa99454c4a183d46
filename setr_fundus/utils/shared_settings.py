"""Config settings that feed several places: ``data_root``, ``crop_size``,
``fov_diameter`` and ``detail_channels``.

Each is one top-level variable of a config. mmengine's inheritance copies a
variable's value into the dicts of the file that defines it, so a leaf
config (or ``--cfg-options``) that changes the variable alone would change
nothing else. Here:

- ``--cfg-options data_root=D crop_size=C fov_diameter=F`` are expanded
  into every site (:func:`expand_shared_options`): ``data_root`` into the
  three loaders' datasets (inside a wrapper such as ``RepeatDataset``:
  ``train_dataloader.dataset.dataset.data_root``); ``crop_size`` into the
  backbone's ``img_size``, the sliding window (``model.test_cfg.crop_size``,
  stride a quarter less) and a data preprocessor's ``size``;
  ``detail_channels`` into the
  backbone's spatial path and the decode head (``None``: the seed's plain
  SETR-MLA head). Keys naming a site themselves (e.g.
  ``test_dataloader.dataset.data_root``) are applied after and win.
- :func:`apply_shared_settings` writes the config's ``crop_size`` into the
  ``RandomCrop`` of the training pipelines and ``fov_diameter`` into every
  ``ResizeToFOV``, so a leaf config sets them without copying pipelines.

The tools (``tools/train.py``, ``test.py``, ``infer.py``) load configs
through :func:`setr_fundus.utils.load_config`, which does both.
"""
from typing import Any, Dict, Iterator, Optional, Tuple

from mmengine.config import Config

SHARED_SETTINGS = ('data_root', 'crop_size', 'fov_diameter',
                   'detail_channels')
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def _pair(value: Any, key: str) -> Tuple[int, int]:
    """``(h, w)`` of an int or a pair of ints."""
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(
            isinstance(v, int) and not isinstance(v, bool) and v > 0
            for v in pair):
        raise ValueError(f'{key} must be a positive int or (h, w) pair of '
                         f'ints, got {value!r}')
    return pair


def _transforms(node: Any) -> Iterator[dict]:
    """Every dict with a ``type`` below ``node`` (pipelines nest)."""
    if isinstance(node, dict):
        if 'type' in node:
            yield node
        for value in node.values():
            yield from _transforms(value)
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _transforms(item)


def _data_root_options(cfg: Config, data_root: Any) -> Dict[str, Any]:
    options = {'data_root': data_root}
    for loader in LOADERS:
        key = f'{loader}.dataset'
        dataset = cfg.get(loader, {}).get('dataset', {})
        while 'data_root' not in dataset and 'dataset' in dataset:
            key, dataset = f'{key}.dataset', dataset['dataset']  # wrappers
        if 'data_root' not in dataset:
            raise ValueError(
                f'data_root={data_root!r}: {key} ({dataset.get("type")}) '
                'has no data_root of its own (a set of several data sets?); '
                f'set the data_root of each of its sets instead, e.g. '
                f'{key}.datasets.0.data_root=...')
        options[f'{key}.data_root'] = data_root
    return options


def _crop_size_options(cfg: Config, value: Any) -> Dict[str, Any]:
    crop = _pair(value, 'crop_size')
    options: Dict[str, Any] = {'crop_size': crop}
    model = cfg.get('model', {})
    if 'img_size' in model.get('backbone', {}):
        options['model.backbone.img_size'] = crop
    if model.get('test_cfg', {}).get('mode') == 'slide':
        options['model.test_cfg.crop_size'] = crop
        options['model.test_cfg.stride'] = tuple(c - c // 4 for c in crop)
    if model.get('data_preprocessor', {}).get('size') is not None:
        options['model.data_preprocessor.size'] = crop
    return options


def expand_shared_options(cfg: Config,
                          options: Optional[dict]) -> Dict[str, Any]:
    """``--cfg-options`` with the shared settings expanded into their sites.

    Args:
        cfg (Config): The config the options apply to.
        options (dict, optional): ``--cfg-options`` as parsed by
            ``DictAction``.

    Returns:
        dict: Options for ``cfg.merge_from_dict``: first the sites of every
        shared setting given, then the other options, which therefore win
        over a site they also name.

    Raises:
        ValueError: A shared value is malformed, or ``data_root`` is given
            for a config whose loaders combine several sets.
    """
    options = dict(options or {})
    expanded: Dict[str, Any] = {}
    if 'data_root' in options:
        expanded.update(_data_root_options(cfg, options.pop('data_root')))
    if 'crop_size' in options:
        expanded.update(_crop_size_options(cfg, options.pop('crop_size')))
    if 'fov_diameter' in options:
        expanded['fov_diameter'] = options.pop('fov_diameter')
    if 'detail_channels' in options:
        value = options.pop('detail_channels')
        expanded.update({
            'detail_channels': value,
            'model.backbone.detail_channels': value,
            'model.decode_head.detail_channels': value
        })
    expanded.update(options)
    return expanded


def apply_shared_settings(cfg: Config) -> None:
    """Write ``crop_size`` into the training crops and ``fov_diameter`` into
    every ``ResizeToFOV`` of ``cfg``, in place (see the module docstring).

    Args:
        cfg (Config): The config; settings it lacks are left alone.
    """
    if cfg.get('crop_size') is not None:
        crop = _pair(cfg.crop_size, 'crop_size')
        for key in ('train_dataloader', 'train_pipeline'):
            for transform in _transforms(cfg.get(key)):
                if transform['type'] in ('RandomCrop', 'mmseg.RandomCrop'):
                    transform['crop_size'] = crop
    if cfg.get('fov_diameter') is not None:
        for _, value in cfg.items():
            for transform in _transforms(value):
                if transform['type'] == 'ResizeToFOV':
                    transform['fov_diameter'] = cfg.fov_diameter
