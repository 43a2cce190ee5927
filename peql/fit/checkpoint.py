"""Atomic checkpoints: written to a temporary file in the same folder, then renamed, so a job
killed at any moment leaves either the previous checkpoint or the new one, never half of one."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import torch


class CheckpointError(ValueError):
    """A checkpoint file that cannot be read (truncated, empty, not a peql checkpoint)."""


def atomic_save(obj, path: str | os.PathLike) -> None:
    """``torch.save`` to a temporary sibling, then rename (with the umask's permissions)."""
    from ..results.files import atomic_bytes

    atomic_bytes(path, lambda tmp: torch.save(obj, tmp))


def load(path: str | os.PathLike) -> dict:
    """A checkpoint's content; :class:`CheckpointError` names a file that cannot be read."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=False)
    except FileNotFoundError:
        raise
    except Exception as exc:  # torch raises EOFError, RuntimeError, UnpicklingError, ... for a damaged file
        raise CheckpointError(f"checkpoint {path} is unreadable ({type(exc).__name__}: {exc}); it is truncated "
                              "or not a peql checkpoint") from None
    if not isinstance(state, dict) or not {"settings", "data", "step", "trainer"} <= state.keys():
        raise CheckpointError(f"checkpoint {path} is not a peql checkpoint (missing its settings, data or state)")
    return state


def set_aside(path: Path, label: str) -> Path:
    """Rename ``path`` to ``checkpoint.<label>.pt`` beside it (never over an earlier one)."""
    target = path.with_name(f"{path.stem}.{label}{path.suffix}")
    k = 1
    while target.exists():
        target = path.with_name(f"{path.stem}.{label}-{k}{path.suffix}")
        k += 1
    path.replace(target)
    return target


def data_fingerprint(*arrays: np.ndarray) -> str:
    """A hash of the training arrays: a checkpoint is only resumed on the same data."""
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a, dtype=np.float64)
        h.update(str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()[:16]
