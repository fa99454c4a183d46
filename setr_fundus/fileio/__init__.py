from .gzip_local_backend import GZIP_LOCAL_BACKEND, GzipLocalBackend
from .image_files import (IMAGE_SUFFIX_PATTERN, IMAGE_SUFFIXES, file_stem,
                          is_image_file)
from .prediction_files import (atomic_file, class_kind, prediction_kinds,
                               prediction_paths, unique_stems, write_mask,
                               write_npy, write_palette_png, write_png,
                               write_probability)

__all__ = [
    'GZIP_LOCAL_BACKEND', 'GzipLocalBackend', 'IMAGE_SUFFIXES',
    'IMAGE_SUFFIX_PATTERN', 'file_stem', 'is_image_file', 'atomic_file',
    'class_kind', 'prediction_kinds', 'prediction_paths', 'unique_stems',
    'write_mask', 'write_npy', 'write_palette_png', 'write_png',
    'write_probability'
]
