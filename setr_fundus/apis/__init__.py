"""Using a trained model on photographs (``tools/infer.py``), on mmseg's
inference APIs. Not imported by ``import setr_fundus``."""
from .infer_files import (IMAGE_SUFFIXES, InferenceSummary, is_image_file,
                          list_images, segment_files)
from .inference import VesselSegmenter, load_model_weights

__all__ = [
    'IMAGE_SUFFIXES', 'InferenceSummary', 'is_image_file', 'list_images',
    'segment_files', 'VesselSegmenter', 'load_model_weights'
]
