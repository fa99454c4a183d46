from .fundus_runner import FundusRunner
from .fundus_train_loop import FundusEpochBasedTrainLoop

__all__ = ['FundusRunner', 'FundusEpochBasedTrainLoop']
