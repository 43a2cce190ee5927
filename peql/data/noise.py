"""Seeded random streams and measurement noise shared by every system.

Each random quantity of a generator (training inputs, validation inputs, test inputs, noise, ...)
comes from its own named stream derived from the seed, so changing how many test points are
drawn never changes the training data, and the validation draw is independent of the test draw.
"""

from __future__ import annotations

import zlib

import numpy as np


def rng(seed: int, stream: str) -> np.random.Generator:
    """An independent generator for the named ``stream`` of ``seed``.

    The stream name is hashed (CRC-32, stable across runs and platforms) into the seed sequence.
    """
    return np.random.default_rng([int(seed), zlib.crc32(stream.encode())])


def add_noise(values: np.ndarray, level: float, generator: np.random.Generator,
              scale: float | None = None) -> np.ndarray:
    """Add Gaussian noise of standard deviation ``level * scale``.

    Args:
        values: clean values (any shape); not modified.
        level: noise as a fraction of the standard deviation (0.01 = 1 %); 0 returns a copy.
        generator: the random stream to draw from.
        scale: reference standard deviation; defaults to the standard deviation of ``values``.

    Raises:
        ValueError: a negative or non-finite level.
    """
    level = float(level)
    if not np.isfinite(level) or level < 0:
        raise ValueError(f"noise must be a finite fraction >= 0 (0.01 = 1 %), got {level}")
    values = np.asarray(values, dtype=np.float64)
    if level == 0:
        return values.copy()
    sd = float(np.std(values)) if scale is None else float(scale)
    return values + level * sd * generator.standard_normal(values.shape)
