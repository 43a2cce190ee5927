"""Keeping freed memory in the process for the length of a training run, and no longer.

A training step allocates and frees the same large temporaries every step (gated weights,
their gradients, the optimiser's square roots: megabytes each at SEQL's size). glibc's malloc
serves blocks that large with fresh ``mmap`` pages and gives them back on ``free``, so every
step pays a page fault for each 4 KiB of every temporary, zero-filled by the kernel: measured at
the bench's SEQL size, about 4,600 faults per step and a sixth of the step's time. Raising the
trim and mmap thresholds keeps freed blocks in the heap, where the next step reuses them.

The settings are process state, so they are set for the block and set back to glibc's defaults
after it (``mallopt`` cannot read the old values; the defaults are what a process starts with),
and the memory kept is handed back to the system (``malloc_trim``).
Elsewhere than glibc (macOS, musl, Windows) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Iterator
from contextlib import contextmanager

# mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3
#: glibc's documented defaults (mallopt(3)), restored after the block.
_DEFAULTS = {_M_TRIM_THRESHOLD: 128 * 1024, _M_TOP_PAD: 128 * 1024, _M_MMAP_THRESHOLD: 128 * 1024}
#: While training: blocks up to 32 MiB (glibc's largest mmap threshold) come from the heap, and
#: the heap is never trimmed below 1 GiB of free space at its top.
_TRAINING = {_M_TRIM_THRESHOLD: 1 << 30, _M_TOP_PAD: 64 << 20, _M_MMAP_THRESHOLD: 32 << 20}


def _libc_functions():
    """glibc's ``mallopt`` and ``malloc_trim``, or (None, None) where the C library has them not."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt, trim = libc.mallopt, libc.malloc_trim
    except (OSError, AttributeError):
        return None, None
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return mallopt, trim


_MALLOPT, _MALLOC_TRIM = _libc_functions()


def _apply(settings: dict[int, int]) -> bool:
    if _MALLOPT is None:
        return False
    return all(_MALLOPT(key, value) == 1 for key, value in settings.items())


@contextmanager
def keeping_freed_memory() -> Iterator[bool]:
    """Inside the block, freed large blocks stay in the heap for reuse (no page fault per step);
    yields whether the C library took the settings."""
    applied = _apply(_TRAINING)
    try:
        yield applied
    finally:
        if applied:
            _apply(_DEFAULTS)
            _MALLOC_TRIM(0)   # hand what the run kept back to the system
