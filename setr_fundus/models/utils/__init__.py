from .spatial_path import SpatialPath

__all__ = ['SpatialPath']
