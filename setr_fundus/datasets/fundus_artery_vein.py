"""FundusArteryVeinDataset: artery/vein labels of RITE and plain folders."""
from mmseg.registry import DATASETS

from .fundus_vessel import FundusVesselDataset
from .label_rules import LABEL_RULES


@DATASETS.register_module()
class FundusArteryVeinDataset(FundusVesselDataset):
    """:class:`FundusVesselDataset` reading the artery/vein map as the label.

    Classes: 0 background, 1 artery, 2 vein, 3 crossing or uncertain; 255
    is ignored. RITE's colour-coded ``av/`` labels and a folder's colour- or
    index-coded ``labels/`` are decoded by the layout's rule (see
    :mod:`setr_fundus.datasets.label_rules`). Three classes, with crossings
    and uncertain pixels ignored:
    ``metainfo=dict(classes=('background', 'artery', 'vein'))`` (mmseg's
    ``label_map``).

    Args:
        **kwargs: As :class:`FundusVesselDataset`; ``seg_map`` defaults to
            'av'.
    """
    METAINFO = LABEL_RULES['artery_vein'].metainfo
    DEFAULT_SEG_MAP = 'av'
