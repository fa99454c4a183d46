"""GzipLocalBackend: local files, ``.gz`` ones decompressed on reading."""
import gzip
from pathlib import Path
from typing import Union

from mmengine.fileio import LocalBackend, register_backend

#: Name to give ``backend_args`` (``dict(backend=GZIP_LOCAL_BACKEND)``).
GZIP_LOCAL_BACKEND = 'local_gzip'


@register_backend(GZIP_LOCAL_BACKEND)
class GzipLocalBackend(LocalBackend):
    """mmengine's :class:`LocalBackend` that gunzips ``*.gz`` files.

    Some public sets ship their photographs gzip-compressed (STARE's
    ``im0001.ppm.gz``). With
    ``backend_args=dict(backend='local_gzip')`` mmcv's
    ``LoadImageFromFile`` decodes them like any other file; everything else
    is read as :class:`LocalBackend` reads it.
    """

    def get(self, filepath: Union[str, Path]) -> bytes:
        """Read the bytes of ``filepath``, decompressed if it ends in
        ``.gz``.

        Args:
            filepath (str | Path): Local file.

        Returns:
            bytes: Its (decompressed) content.
        """
        if str(filepath).lower().endswith('.gz'):
            with gzip.open(filepath, 'rb') as f:
                return f.read()
        return super().get(filepath)
