from .vessel_metric import VesselMetric

__all__ = ['VesselMetric']
