from .fundus_checkpoint_hook import FundusCheckpointHook
from .fundus_visualization_hook import FundusVisualizationHook
from .nan_guard_hook import (NaNGuardHook, NonFiniteLossError,
                             NonFiniteWeightsError)
from .preemption_hook import (PREEMPTED_EXIT_CODE, PreemptionHook,
                              TrainingPreempted)

__all__ = [
    'FundusCheckpointHook', 'FundusVisualizationHook', 'NaNGuardHook',
    'NonFiniteLossError', 'NonFiniteWeightsError', 'PREEMPTED_EXIT_CODE',
    'PreemptionHook', 'TrainingPreempted'
]
