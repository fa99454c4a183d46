from .vessel_metric import VesselMetric
from .vessel_morphology import MorphologyAnalysis, VesselMorphology
from .vessel_morphology_metric import VesselMorphologyMetric

__all__ = [
    'MorphologyAnalysis', 'VesselMetric', 'VesselMorphology',
    'VesselMorphologyMetric'
]
