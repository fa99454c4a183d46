from .class_drawing import (INSIDE_FOV, VESSEL_COLOUR, class_colours,
                            draw_zone_b, overlay_classes, paint_classes)
from .fundus_visualizer import FundusVisualizer, vessel_comparison
from .morphology_drawing import draw_morphology
from .prediction_writer import write_prediction_maps

__all__ = [
    'FundusVisualizer', 'INSIDE_FOV', 'VESSEL_COLOUR', 'class_colours',
    'draw_morphology', 'draw_zone_b', 'overlay_classes', 'paint_classes',
    'vessel_comparison', 'write_prediction_maps'
]
