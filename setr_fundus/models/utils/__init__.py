from .av_segment_vote import (av_segment_vote, set_av_log_odds,
                              straight_continuations, vessel_segments)
from .class_probabilities import class_probabilities
from .spatial_path import SpatialPath

__all__ = [
    'SpatialPath', 'av_segment_vote', 'class_probabilities',
    'set_av_log_odds', 'straight_continuations', 'vessel_segments'
]
