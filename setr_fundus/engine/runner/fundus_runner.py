import datetime
import os
import os.path as osp
import re
from typing import Callable, Dict, Optional, Union

import torch
import torch.distributed as torch_dist
from mmengine.dist import is_distributed, master_only
from mmengine.model import (MMDistributedDataParallel, is_model_wrapper,
                            revert_sync_batchnorm)
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint_to_model
from mmseg.registry import RUNNERS

from setr_fundus.utils import check_state_dict_shapes, load_trusted_checkpoint
from ..hooks.preemption_hook import TrainingPreempted


@RUNNERS.register_module()
class FundusRunner(Runner):
    """mmengine :class:`Runner` that is safe to resume, save and run on CPU.

    Select it in a config with ``runner_type = 'FundusRunner'``.

    - Checkpoints named by the user (``load_from``, ``--resume``) are read
      with :func:`load_trusted_checkpoint`, so runner checkpoints holding
      message-hub history and optimizer state load under torch >= 2.6.
    - Local checkpoints are written to a temporary file and renamed into
      place, so a crash during a save never leaves a half-written file.
    - Without CUDA, distributed runs use the gloo backend (with
      ``env_cfg.dist_cfg.timeout``, in seconds, when set), wrap the model
      in DDP without device ids and replace SyncBN by BN, so
      ``tools/dist_train.sh`` also works on CPU machines.
    - A checkpoint with a tensor of another shape than the model's (a
      checkpoint of another config) is an error naming the file and the
      tensor, instead of mmengine's warning and a model half initialised.
    - A run stopped by :class:`~setr_fundus.engine.hooks.PreemptionHook`
      ends as a finished one does (``after_run``: logs and TensorBoard
      flushed) before :class:`TrainingPreempted` propagates.
    """

    def setup_env(self, env_cfg: Dict) -> None:
        """Initialise gloo on CPU-only machines, then defer to mmengine."""
        if (self._distributed and not is_distributed()
                and not torch.cuda.is_available()):
            timeout = env_cfg.get('dist_cfg', {}).get('timeout')
            kwargs = {} if timeout is None else dict(
                timeout=datetime.timedelta(seconds=timeout))
            torch_dist.init_process_group(backend='gloo', **kwargs)
        super().setup_env(env_cfg)

    def train(self) -> torch.nn.Module:
        """Train as mmengine does; a stop for a signal runs ``after_run``
        hooks before :class:`TrainingPreempted` propagates."""
        try:
            return super().train()
        except TrainingPreempted:
            self.call_hook('after_run')
            raise

    def wrap_model(self, model_wrapper_cfg: Optional[Dict],
                   model: torch.nn.Module) -> torch.nn.Module:
        """Wrap for DDP; on CPU without device ids and with plain BN."""
        if torch.cuda.is_available():
            return super().wrap_model(model_wrapper_cfg, model)
        model = revert_sync_batchnorm(model)
        if not self.distributed or model_wrapper_cfg is not None:
            return super().wrap_model(model_wrapper_cfg, model)
        return MMDistributedDataParallel(
            module=model,
            broadcast_buffers=False,
            find_unused_parameters=self.cfg.get('find_unused_parameters',
                                                False))

    def load_checkpoint(self,
                        filename: str,
                        map_location: Union[str, Callable] = 'cpu',
                        strict: bool = False,
                        revise_keys: list = [(r'^module.', '')]) -> dict:
        """Load a user-named checkpoint into the model.

        Args:
            filename (str): Local checkpoint path, or a URL / ``scheme://``
                path handled by mmengine.
            map_location (str | Callable): As :func:`torch.load`.
            strict (bool): Whether keys must match exactly.
            revise_keys (list): ``(pattern, replacement)`` pairs applied to
                the state dict keys.

        Returns:
            dict: The loaded checkpoint.
        """
        if '://' in filename:
            return super().load_checkpoint(filename, map_location, strict,
                                           revise_keys)
        checkpoint = load_trusted_checkpoint(filename, map_location)
        self.call_hook('after_load_checkpoint', checkpoint=checkpoint)
        model = self.model.module if is_model_wrapper(
            self.model) else self.model
        state_dict = checkpoint.get('state_dict', checkpoint)
        for pattern, replacement in revise_keys:
            state_dict = {
                re.sub(pattern, replacement, k): v
                for k, v in state_dict.items()
            }
        check_state_dict_shapes(filename, state_dict, model)
        checkpoint = _load_checkpoint_to_model(
            model, checkpoint, strict, revise_keys=revise_keys)
        self._has_loaded = True
        self.logger.info(f'Load checkpoint from {filename}')
        return checkpoint

    @master_only
    def save_checkpoint(self, out_dir: str, filename: str,
                        *args, **kwargs) -> None:
        """Save like mmengine, atomically (write, then rename) when local.

        Args:
            out_dir (str): Directory of the checkpoint.
            filename (str): File name of the checkpoint.
            *args, **kwargs: As :meth:`mmengine.runner.Runner.save_checkpoint`.
        """
        remote = kwargs.get('backend_args') or kwargs.get('file_client_args')
        if remote or '://' in out_dir:
            return super().save_checkpoint(out_dir, filename, *args, **kwargs)
        tmp_name = f'.{filename}.{os.getpid()}.tmp'
        tmp_path = osp.join(out_dir, tmp_name)
        try:
            super().save_checkpoint(out_dir, tmp_name, *args, **kwargs)
            os.replace(tmp_path, osp.join(out_dir, filename))
        finally:
            if osp.exists(tmp_path):
                os.remove(tmp_path)
