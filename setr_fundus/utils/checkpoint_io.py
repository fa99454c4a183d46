"""Loading trusted local checkpoints under torch >= 2.6.

torch 2.6 made ``torch.load(..., weights_only=True)`` the default. That
refuses files holding Python objects, which the checkpoints this project
reads legitimately contain: mmengine resume checkpoints (message-hub
history, numpy scalars, optimizer state) and foundation-model training
checkpoints (an ``argparse.Namespace`` under ``args``). Both are local files
the user named explicitly, so they are loaded with ``weights_only=False``
here, and only here.
"""
import os.path as osp
import re
from typing import Any, Callable, Dict, Union

import torch


def load_trusted_checkpoint(
        path: str,
        map_location: Union[str, Callable, torch.device, None] = 'cpu') -> Any:
    """Load a local checkpoint file the user named, allowing pickled objects.

    Args:
        path (str): Local path of the checkpoint.
        map_location: As in :func:`torch.load`. Defaults to ``'cpu'``.

    Returns:
        Any: The unpickled checkpoint, usually a dict.

    Raises:
        FileNotFoundError: ``path`` is not an existing file.
        ValueError: the file exists but is not a torch checkpoint.
    """
    path = osp.expanduser(path)
    if not osp.isfile(path):
        raise FileNotFoundError(f'Checkpoint file not found: {path}')
    try:
        return torch.load(path, map_location=map_location, weights_only=False)
    except Exception as err:  # pickle, zip and torch errors alike
        raise ValueError(
            f'{path} is not a readable PyTorch checkpoint '
            f'({type(err).__name__}: {err})') from err


def check_state_dict_shapes(path: str, state_dict: Dict[str, Any],
                            model: torch.nn.Module) -> None:
    """Raise ``ValueError`` where a checkpoint tensor's shape differs from
    the model's tensor of the same name, naming ``path`` and the tensor
    (``module.`` prefixes, as of DDP or the test-time augmentation wrapper,
    ignored on both sides). Names only one side has are not checked here.
    """
    found = {re.sub(r'^module\.', '', k): v for k, v in state_dict.items()}
    mismatched = []
    for key, value in model.state_dict().items():
        tensor = found.get(re.sub(r'^module\.', '', key))
        if isinstance(tensor, torch.Tensor) and tensor.shape != value.shape:
            mismatched.append((key, tuple(tensor.shape), tuple(value.shape)))
    if mismatched:
        key, in_file, expected = mismatched[0]
        raise ValueError(
            f'{path} does not fit the model of the config: '
            f'{len(mismatched)} tensors of another shape, e.g. {key} is '
            f'{in_file} in the checkpoint and {expected} in the model (a '
            'checkpoint of another config?)')
