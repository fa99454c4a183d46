from typing import List, Optional

import torch.nn as nn
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapper
from mmengine.registry import OPTIM_WRAPPERS, OPTIMIZERS
from mmseg.registry import OPTIM_WRAPPER_CONSTRUCTORS


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class TrainableOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """Build the optimizer over the trainable parameters only.

    mmengine's default constructor hands every parameter to the optimizer,
    frozen ones included (they just never receive a gradient). With a
    frozen 86M-parameter encoder, this constructor keeps them out entirely,
    so the optimizer neither lists nor could ever hold state for them.
    ``paramwise_cfg`` works as with the default constructor.

    Select it with ``optim_wrapper=dict(constructor=
    'TrainableOptimWrapperConstructor', ...)``.
    """

    def __call__(self, model: nn.Module) -> OptimWrapper:
        """Build the optimizer wrapper of ``model``'s trainable parameters.

        Args:
            model (nn.Module): The model (a DDP wrapper is unwrapped).

        Returns:
            OptimWrapper: The optimizer wrapper.
        """
        if self.paramwise_cfg:
            return super().__call__(model)  # add_params drops frozen ones
        module = getattr(model, 'module', model)
        optimizer_cfg = self.optimizer_cfg.copy()
        optimizer_cfg['params'] = [
            p for p in module.parameters() if p.requires_grad
        ]
        optimizer = OPTIMIZERS.build(optimizer_cfg)
        wrapper_cfg = self.optim_wrapper_cfg.copy()
        wrapper_cfg.setdefault('type', 'OptimWrapper')
        return OPTIM_WRAPPERS.build(
            wrapper_cfg, default_args=dict(optimizer=optimizer))

    def add_params(self,
                   params: List[dict],
                   module: nn.Module,
                   prefix: str = '',
                   is_dcn_module: Optional[int] = None) -> None:
        """As the default constructor, without frozen parameters."""
        super().add_params(params, module, prefix, is_dcn_module)
        params[:] = [g for g in params if g['params'][0].requires_grad]
