from .class_probabilities import class_probabilities
from .spatial_path import SpatialPath

__all__ = ['SpatialPath', 'class_probabilities']
