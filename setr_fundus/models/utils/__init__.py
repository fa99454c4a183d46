from .detail_stem import DetailStem

__all__ = ['DetailStem']
