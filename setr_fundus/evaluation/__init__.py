from .artery_vein_calibre import ArteryVeinRecord, measure_artery_vein
from .vessel_calibre import SegmentCalibre, measure_segments
from .vessel_metric import VesselMetric
from .vessel_morphology import MorphologyAnalysis, VesselMorphology
from .vessel_morphology_metric import VesselMorphologyMetric
from .zone_b import OpticDisc

__all__ = [
    'ArteryVeinRecord', 'MorphologyAnalysis', 'OpticDisc', 'SegmentCalibre',
    'VesselMetric', 'VesselMorphology', 'VesselMorphologyMetric',
    'measure_artery_vein', 'measure_segments'
]
