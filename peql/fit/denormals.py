"""Flushing denormal floats to zero for the length of a training run, and no longer.

RMSProp accumulators of weights that the gates switched off decay towards zero through the
denormal range, where x86 arithmetic is many times slower, so training flushes them. The flag is
thread state of the CPU that numpy's casts obey as well: left on, it would silently change what a
caller computes after a fit. One visible case: a float32 image with denormal pixels (a Gaussian
spot's tails) cast to float64 for the data fingerprint hashes differently once flushing is on, so a
process that fitted and then reloaded the run (``tools/run_fits.py``) was told the checkpoint
belonged to other data.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import numpy as np
import torch

_PROBE = np.array([1e-40], dtype=np.float32)   # a float32 denormal


def flushing() -> bool:
    """Whether this thread currently flushes denormal inputs to zero."""
    return bool(_PROBE.astype(np.float64)[0] == 0.0)


@contextmanager
def flushing_denormals() -> Iterator[None]:
    """Flush denormals to zero inside the block; restore the caller's mode on the way out."""
    before = flushing()
    torch.set_flush_denormal(True)
    try:
        yield
    finally:
        torch.set_flush_denormal(before)
