from .artery_vein_calibre import ArteryVeinRecord, measure_artery_vein
from .av_metric import AVMetric
from .optic_disc import OpticDisc, find_optic_disc
from .vessel_calibre import SegmentCalibre, measure_segments
from .vessel_metric import VesselMetric
from .vessel_morphology import MorphologyAnalysis, VesselMorphology
from .vessel_morphology_metric import VesselMorphologyMetric
from .zone_b import DiscCircle

__all__ = [
    'AVMetric',
    'ArteryVeinRecord', 'DiscCircle', 'MorphologyAnalysis', 'OpticDisc',
    'SegmentCalibre', 'VesselMetric', 'VesselMorphology',
    'VesselMorphologyMetric', 'find_optic_disc', 'measure_artery_vein',
    'measure_segments'
]
