from .gzip_local_backend import GZIP_LOCAL_BACKEND, GzipLocalBackend
from .image_files import (IMAGE_SUFFIX_PATTERN, IMAGE_SUFFIXES, file_stem,
                          is_image_file)

__all__ = [
    'GZIP_LOCAL_BACKEND', 'GzipLocalBackend', 'IMAGE_SUFFIXES',
    'IMAGE_SUFFIX_PATTERN', 'file_stem', 'is_image_file'
]
