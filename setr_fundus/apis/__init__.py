"""Using a trained model on photographs (``tools/infer.py``), on mmseg's
inference APIs."""
from .infer_files import InferenceSummary, list_images, segment_files
from .inference import VesselSegmenter, load_model_weights

__all__ = [
    'InferenceSummary', 'list_images', 'segment_files', 'VesselSegmenter',
    'load_model_weights'
]
