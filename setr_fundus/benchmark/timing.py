"""Wall-clock medians and peak memory on the CPU and on CUDA.

Peak memory means different things on the two devices, as each reports
what it can measure exactly:

- CUDA: ``torch.cuda.max_memory_allocated`` over the measured call after
  ``reset_peak_memory_stats``, i.e. all tensor memory alive at the peak
  (weights, optimizer state, activations, gradients).
- CPU (Linux): growth of the process's resident set over the measured call:
  the peak RSS (``VmHWM`` in ``/proc/self/status``, reset by writing ``5``
  to ``/proc/self/clear_refs``) minus the RSS just before, after
  ``malloc_trim(0)`` has returned the allocator's free memory to the system
  so that memory kept from earlier calls does not hide the growth. Weights
  and optimizer state that exist before the call are not included. Where
  this is unavailable (not Linux/glibc) the peak is None.
"""
import ctypes
import statistics
import time
from typing import Callable, List, Optional

import torch

_STATUS = '/proc/self/status'
_CLEAR_REFS = '/proc/self/clear_refs'


def synchronize(device: torch.device) -> None:
    """Wait for the device's queued work (no-op on the CPU).

    Args:
        device (torch.device): The device the measured code runs on.
    """
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def median_time(fn: Callable[[], object],
                device: torch.device,
                repeat: int,
                warmup: int = 1) -> float:
    """Median wall time of ``fn()`` over ``repeat`` calls after warm-up.

    Args:
        fn (callable): The work to time, called without arguments.
        device (torch.device): Device to synchronize before and after each
            call.
        repeat (int): Timed calls (>= 1).
        warmup (int): Untimed calls first. Defaults to 1.

    Returns:
        float: Median seconds per call.
    """
    if repeat < 1:
        raise ValueError(f'repeat must be >= 1, got {repeat}')
    for _ in range(warmup):
        fn()
    times: List[float] = []
    for _ in range(repeat):
        synchronize(device)
        start = time.perf_counter()
        fn()
        synchronize(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _status_kib(field: str) -> int:
    with open(_STATUS) as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    raise KeyError(f'{field} not in {_STATUS}')


def _trim_malloc() -> None:
    try:
        ctypes.CDLL('libc.so.6').malloc_trim(0)
    except (OSError, AttributeError):
        pass


def cpu_peak_supported() -> bool:
    """Whether the CPU peak-RSS measurement works on this system.

    Returns:
        bool: True on Linux with a resettable ``VmHWM``.
    """
    try:
        with open(_CLEAR_REFS, 'w') as f:
            f.write('5')
        _status_kib('VmHWM')
    except (OSError, KeyError):
        return False
    return True


def peak_memory_mib(fn: Callable[[], object],
                    device: torch.device) -> Optional[float]:
    """Peak memory of one call of ``fn()`` in MiB (see the module doc).

    Args:
        fn (callable): The work to measure, called once.
        device (torch.device): Device it runs on.

    Returns:
        float | None: MiB; None where the CPU measurement is unsupported.
    """
    if device.type == 'cuda':
        synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
        fn()
        synchronize(device)
        return torch.cuda.max_memory_allocated(device) / 2**20
    if not cpu_peak_supported():
        fn()
        return None
    _trim_malloc()
    before = _status_kib('VmRSS')
    with open(_CLEAR_REFS, 'w') as f:
        f.write('5')
    fn()
    return max(_status_kib('VmHWM') - before, 0) / 1024
