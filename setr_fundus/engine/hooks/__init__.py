from .fundus_checkpoint_hook import FundusCheckpointHook
from .fundus_visualization_hook import FundusVisualizationHook

__all__ = ['FundusCheckpointHook', 'FundusVisualizationHook']
