"""CachedLoad: run the loading steps once per sample, keep their arrays."""
from typing import Dict, List, Optional, Tuple

import numpy as np
from mmcv.transforms import BaseTransform, Compose
from mmseg.registry import TRANSFORMS

#: Cache key: the sample's image, label and FOV mask files.
_Key = Tuple[Optional[str], ...]


@TRANSFORMS.register_module()
class CachedLoad(BaseTransform):
    """Run ``transforms`` (the loading steps) once per sample and keep
    what they add, up to ``max_mib`` per process.

    An opt-in, bounded cache for training pipelines on small sets, where
    decoding every photograph again each epoch costs CPU time that a
    2-core machine would rather spend on the model: wrap the first steps
    of the pipeline, e.g.
    ``dict(type='CachedLoad', transforms=[load_image,
    dict(type='LoadFundusAnnotations')])``. The entries are keyed by the
    sample's files (``img_path``, ``seg_map_path``, ``fov_path``); a sample
    that would take the cache over ``max_mib`` is loaded every time
    instead (nothing is evicted). Each data-loader worker holds its own
    cache (with ``persistent_workers=True`` it lives across epochs), so
    the memory is at most ``max_mib`` times the number of workers.

    The cached arrays are handed out without copying and marked read-only,
    so a later transform that writes into its input in place fails with
    numpy's "assignment destination is read-only" instead of changing the
    cache; mmcv's and mmseg's transforms make new arrays.

    Args:
        transforms (list[dict]): The loading steps, e.g. mmcv's
            ``LoadImageFromFile`` and ``LoadFundusAnnotations``.
        max_mib (float): Bound of the arrays kept per process, in MiB.
            Defaults to 512.
    """

    def __init__(self, transforms: List[dict], max_mib: float = 512) -> None:
        if not transforms:
            raise ValueError('CachedLoad needs the loading transforms to run')
        if not max_mib > 0:
            raise ValueError(f'max_mib must be > 0, got {max_mib!r}')
        self.transforms = Compose(transforms)
        self.max_bytes = int(max_mib * 2**20)
        self.cached_bytes = 0
        self._cache: Dict[_Key, dict] = {}

    def transform(self, results: dict) -> Optional[dict]:
        """Add the loading steps' results, from the cache when it has them.

        Args:
            results (dict): Data info of one sample.

        Returns:
            dict: ``results`` with what the loading steps add.
        """
        key = tuple(
            results.get(k) for k in ('img_path', 'seg_map_path', 'fov_path'))
        added = self._cache.get(key)
        if added is None:
            before = set(results)
            loaded = self.transforms(dict(results))
            if loaded is None:
                return None
            added = {
                k: v
                for k, v in loaded.items()
                if k not in before or k == 'seg_fields'
            }
            self._keep(key, added)
        results.update(added)
        results['seg_fields'] = list(added.get('seg_fields', []))
        return results

    def _keep(self, key: _Key, added: dict) -> None:
        """Keep ``added`` if it fits, its arrays made read-only."""
        size = sum(v.nbytes for v in added.values()
                   if isinstance(v, np.ndarray))
        if self.cached_bytes + size > self.max_bytes:
            return
        for value in added.values():
            if isinstance(value, np.ndarray):
                value.setflags(write=False)
        self._cache[key] = added
        self.cached_bytes += size

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(transforms={self.transforms}, '
                f'max_mib={self.max_bytes / 2**20:g})')
