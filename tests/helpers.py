"""Shared test helpers (importable as ``helpers`` through pytest's pythonpath)."""

from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def make_tx(n_groups=32, n_per=64, n_test=64, seed=0, lo=-3.0, hi=3.0):
    """The paper's simplest benchmark y = t*x: train x in [-3, 3], extrapolation x in [-5, 5]."""
    rng = np.random.default_rng(seed)
    t_grid = np.linspace(lo, hi, n_groups)

    def draw(n, a, b):
        t = np.repeat(t_grid, n)
        x = rng.uniform(a, b, size=(len(t), 1))
        return x, t * x[:, 0], t

    return draw(n_per, -3, 3), draw(n_test, -5, 5), draw(n_test, -5, 5), t_grid
