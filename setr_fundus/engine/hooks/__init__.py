from .fundus_checkpoint_hook import FundusCheckpointHook

__all__ = ['FundusCheckpointHook']
