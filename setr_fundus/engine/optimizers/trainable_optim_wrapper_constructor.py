from typing import List, Optional

import torch.nn as nn
from mmengine.optim import DefaultOptimWrapperConstructor
from mmseg.registry import OPTIM_WRAPPER_CONSTRUCTORS


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class TrainableOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """Build the optimizer over the trainable parameters only.

    mmengine's default constructor hands every parameter to the optimizer,
    frozen ones included (they just never receive a gradient). With a
    frozen 86M-parameter encoder, this constructor keeps them out entirely,
    so the optimizer neither lists nor could ever hold state for them.
    Every parameter goes through mmengine's ``add_params`` (an empty
    ``paramwise_cfg`` is taken as ``dict(custom_keys={})``, so mmengine
    never takes its shortcut of passing ``model.parameters()`` whole), and
    the frozen ones are dropped there: one path, with or without
    ``paramwise_cfg``.

    Select it with ``optim_wrapper=dict(constructor=
    'TrainableOptimWrapperConstructor', ...)``.

    Args:
        optim_wrapper_cfg (dict): As for mmengine's default constructor.
        paramwise_cfg (dict, optional): As for mmengine's default
            constructor. Defaults to None.
    """

    def __init__(self,
                 optim_wrapper_cfg: dict,
                 paramwise_cfg: Optional[dict] = None) -> None:
        super().__init__(optim_wrapper_cfg, paramwise_cfg
                         or dict(custom_keys={}))

    def add_params(self,
                   params: List[dict],
                   module: nn.Module,
                   prefix: str = '',
                   is_dcn_module: Optional[int] = None) -> None:
        """As the default constructor, without frozen parameters."""
        super().add_params(params, module, prefix, is_dcn_module)
        params[:] = [g for g in params if g['params'][0].requires_grad]
