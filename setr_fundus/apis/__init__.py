"""Using a trained model on photographs (``tools/infer.py``), on mmseg's
inference APIs, and reading photographs as a config does
(:class:`PhotoLoader`, also used by the visualisation hook)."""
from .infer_files import InferenceSummary, list_images, segment_files
from .inference import VesselSegmenter, load_model_weights
from .photo_loader import PhotoLoader

__all__ = [
    'InferenceSummary', 'list_images', 'segment_files', 'PhotoLoader',
    'VesselSegmenter', 'load_model_weights'
]
