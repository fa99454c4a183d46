"""File layouts of the public retinal-vessel sets, as their archives unpack.

One module per layout; a new set is one new module registered in
``FUNDUS_LAYOUTS`` and imported here. The parts follow mmsegmentation's
dataset converters, so that test figures are comparable with published
ones (see each module). The public sets have no validation part:
:func:`setr_fundus.datasets.holdout.holdout_split` takes the validation
images out of the *training* part (the last ones in listing order).
"""
from .base import FUNDUS_LAYOUTS, FundusLayout, SampleFiles
from .chase_db1 import ChaseDB1Layout
from .detection import (SPLITS, detect_layout, get_layout, layout_names,
                        list_samples)
from .drive import DriveLayout
from .folder import FolderLayout
from .hrf import HRFLayout
from .rite import RITELayout
from .stare import StareLayout

__all__ = [
    'FUNDUS_LAYOUTS', 'SPLITS', 'ChaseDB1Layout', 'DriveLayout',
    'FolderLayout', 'FundusLayout', 'HRFLayout', 'RITELayout', 'SampleFiles',
    'StareLayout', 'detect_layout', 'get_layout', 'layout_names',
    'list_samples'
]
