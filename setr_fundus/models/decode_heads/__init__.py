from .vessel_mla_head import VesselMLAHead

__all__ = ['VesselMLAHead']
