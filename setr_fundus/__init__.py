"""setr_fundus: SETR-MLA retinal-vessel segmentation on a frozen fundus ViT.

Importing the package registers every module into MMSegmentation's
registries (``mmseg.registry``).
"""
from . import (datasets, engine, evaluation, fileio, models,  # noqa: F401
               utils, visualization)
from .version import __version__

__all__ = ['__version__']
