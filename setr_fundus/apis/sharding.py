"""Splitting the photographs of a cohort across processes and nodes.

A shard is ``(index, count)`` with a 0-based index. Shard ``i`` of ``n``
takes every ``n``-th photograph of the sorted list from the ``i``-th on
(``paths[i::n]``), so the shards of one ``n`` cover the list with no overlap
and no gap, and each gets a mix of the list's order (e.g. of cameras or
visits) rather than one block of it.

Where the shard comes from (:func:`resolve_shard`):

1. ``--shard K/N`` (1-based: ``1/4`` ... ``4/4``);
2. else a Slurm job array: index ``(SLURM_ARRAY_TASK_ID -
   SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP`` of
   ``SLURM_ARRAY_TASK_COUNT``, so ``--array=0-3``, ``--array=1-4`` and
   ``--array=0-30:10`` all give shards 1/4 ... 4/4;
3. else the whole list.

Ranks started by ``torchrun`` (``RANK`` of ``WORLD_SIZE``) split their
shard once more: rank ``r`` of ``w`` in shard ``i`` of ``n`` is shard
``i + n * r`` of ``n * w``, which is the same as taking every ``w``-th
photograph of shard ``i``.
"""
import re
from typing import Mapping, NamedTuple, Optional, Sequence, TypeVar

T = TypeVar('T')


class Shard(NamedTuple):
    """One part of the photograph list.

    Args:
        index (int): 0-based index of the part.
        count (int): Number of parts.
    """
    index: int
    count: int

    def __str__(self) -> str:
        return f'{self.index + 1}/{self.count}'

    def select(self, items: Sequence[T]) -> Sequence[T]:
        """The items of this shard: every ``count``-th from ``index`` on.

        Args:
            items (Sequence): The whole, sorted list.

        Returns:
            Sequence: The shard's items, in the list's order.
        """
        return items[self.index::self.count]


def parse_shard(text: str) -> Shard:
    """Read ``K/N`` (1-based, as ``--shard`` takes it).

    Args:
        text (str): E.g. ``'2/4'``.

    Returns:
        Shard: ``Shard(K - 1, N)``.

    Raises:
        ValueError: Not ``K/N`` with ``1 <= K <= N``.
    """
    match = re.fullmatch(r'\s*(\d+)\s*/\s*(\d+)\s*', text)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise ValueError(f'--shard must be K/N with 1 <= K <= N (e.g. 1/4), '
                         f'got {text!r}')
    return Shard(int(match[1]) - 1, int(match[2]))


def _env_int(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name, '')
    if not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f'{name}={value!r} is not an integer') from None


def slurm_array_shard(env: Mapping[str, str]) -> Optional[Shard]:
    """The shard of a Slurm job array task.

    Args:
        env (Mapping[str, str]): Environment variables.

    Returns:
        Shard | None: ``(TASK_ID - TASK_MIN) / TASK_STEP`` of
        ``TASK_COUNT``; None outside a job array.

    Raises:
        ValueError: The task ids are not evenly spaced from
            ``SLURM_ARRAY_TASK_MIN`` (e.g. ``--array=1,3,7``), so they give
            no shard of ``SLURM_ARRAY_TASK_COUNT``; pass ``--shard``.
    """
    count = _env_int(env, 'SLURM_ARRAY_TASK_COUNT', 0)
    if count < 1:
        return None
    task = _env_int(env, 'SLURM_ARRAY_TASK_ID', 0)
    first = _env_int(env, 'SLURM_ARRAY_TASK_MIN', 0)
    step = max(_env_int(env, 'SLURM_ARRAY_TASK_STEP', 1), 1)
    index, rest = divmod(task - first, step)
    if rest or not 0 <= index < count:
        raise ValueError(
            f'Slurm array task {task} (min {first}, step {step}) is not one '
            f'of {count} evenly spaced tasks; use --array=0-{count - 1} or '
            'pass --shard K/N')
    return Shard(index, count)


def resolve_shard(shard: Optional[str], env: Mapping[str, str]) -> Shard:
    """This process's shard: ``--shard``, else the Slurm array task, else
    the whole list; then split by the ``torchrun`` rank (module docstring).

    Args:
        shard (str, optional): ``--shard K/N``.
        env (Mapping[str, str]): Environment variables.

    Returns:
        Shard: The part of the sorted list this process segments.

    Raises:
        ValueError: A malformed ``--shard`` or Slurm/torchrun variables.
    """
    base = parse_shard(shard) if shard else (slurm_array_shard(env)
                                             or Shard(0, 1))
    world = _env_int(env, 'WORLD_SIZE', 1)
    rank = _env_int(env, 'RANK', 0)
    if not 0 <= rank < world:
        raise ValueError(f'RANK={rank} is not below WORLD_SIZE={world}')
    return Shard(base.index + base.count * rank, base.count * world)


def rank_device(device: str, env: Mapping[str, str]) -> str:
    """The device of a ``torchrun`` rank: ``cuda`` becomes
    ``cuda:LOCAL_RANK``; any other device (or a numbered one) is kept.

    Args:
        device (str): ``--device``.
        env (Mapping[str, str]): Environment variables.

    Returns:
        str: The torch device.
    """
    if device == 'cuda' and 'LOCAL_RANK' in env:
        return f'cuda:{_env_int(env, "LOCAL_RANK", 0)}'
    return device
