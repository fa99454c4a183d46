"""Using a trained model: vessel masks, probabilities and overlays."""
from .infer_files import (IMAGE_SUFFIXES, InferenceSummary, is_image_file,
                          list_images, output_paths, output_stems,
                          segment_files)
from .inference import VesselSegmenter, load_model_weights, vessel_overlay

__all__ = [
    'IMAGE_SUFFIXES', 'InferenceSummary', 'is_image_file', 'list_images',
    'output_paths', 'output_stems', 'segment_files', 'VesselSegmenter',
    'load_model_weights', 'vessel_overlay'
]
