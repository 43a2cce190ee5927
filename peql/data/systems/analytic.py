"""The analytic benchmarks f1-f5 of the parametric-EQL paper (its numbering).

Per parameter value t: 512 training x ~ U[-3, 3], and two extrapolation draws x ~ U[-5, 5] of 256
each: ``val`` (model selection) and ``test`` (scoring), from separate random streams.

The t grid defaults to the original code's (``grid="code"``: 64 points on [-3, 0] then 64 on
[0, 3], so t = 0 appears twice), because every table of the paper was computed on it; the text's
128 equally spaced values on [-3, 3] are ``grid="uniform"``. Samples at the doubled t = 0 share one
distinct parameter value, so ``true_coef`` has 127 rows on the code grid.

Noise (a fraction of the standard deviation of the clean training target) is added to the train
and val targets; test targets stay clean so that the extrapolation score measures the law.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..dataset import tabular_dataset
from ..noise import add_noise
from .base import Run, System

GRIDS = ("code", "uniform")


def t_grid(kind: str, n: int = 128, t_max: float = 3.0) -> np.ndarray:
    """The parameter grid of the analytic and spring benchmarks.

    Args:
        kind: ``"code"`` (n/2 points on [-t_max, 0] then n/2 on [0, t_max]; 0 twice) or
            ``"uniform"`` (n equally spaced points on [-t_max, t_max]).
        n: number of grid entries (even for ``"code"``).
        t_max: half-width of the range.
    """
    if kind == "code":
        if n % 2:
            raise ValueError(f"the code t grid needs an even number of points, got n_t={n}")
        return np.concatenate([np.linspace(-t_max, 0.0, n // 2), np.linspace(0.0, t_max, n // 2)])
    if kind == "uniform":
        return np.linspace(-t_max, t_max, n)
    raise ValueError(f"unknown t grid {kind!r}; expected one of {GRIDS}")


def jagged(t: np.ndarray) -> np.ndarray:
    """The paper's piecewise-linear frequency j(t): kinks at t = 0 and t = 1.5."""
    t = np.asarray(t, dtype=np.float64)
    return np.where(t < 0, 0.5 * t + 2.5, np.where(t < 1.5, -0.5 * t + 2.5, t + 0.25))


@dataclass(frozen=True)
class Law:
    """y = fn(x, coefficients(t)); ``coefs`` maps each coefficient name to its function of t."""

    equation: str
    coefs: dict[str, Callable[[np.ndarray], np.ndarray]]
    fn: Callable[..., np.ndarray]


LAWS = {
    "f1_sgn": Law("a(t)*x**2 + b(t)*x", {"a": lambda t: t, "b": lambda t: 3 * np.sign(t)},
                  lambda x, a, b: a * x**2 + b * x),
    "f2_jagged_sin": Law("sin(a(t)*x)", {"a": jagged}, lambda x, a: np.sin(a * x)),
    "f3_linear": Law("a(t)*x", {"a": lambda t: t}, lambda x, a: a * x),
    "f4_sin_coef": Law("a(t)*x**2 + b(t)*x", {"a": lambda t: t, "b": lambda t: 3 * np.sin(t)},
                       lambda x, a, b: a * x**2 + b * x),
    "f5_sin_freq": Law("sin(a(t)*x)", {"a": lambda t: (5 + t) / 2}, lambda x, a: np.sin(a * x)),
}

_DESCRIPTIONS = {
    "f1_sgn": "paper f1: y = t x^2 + 3 sgn(t) x (discontinuous in t)",
    "f2_jagged_sin": "paper f2: y = sin(j(t) x), j piecewise linear with kinks at t = 0, 1.5",
    "f3_linear": "paper f3: y = t x",
    "f4_sin_coef": "paper f4: y = t x^2 + 3 sin(t) x",
    "f5_sin_freq": "paper f5: y = sin((5 + t)/2 x)",
}

DEFAULTS = {"grid": "code", "n_t": 128, "t_max": 3.0, "n_train": 512, "n_val": 256,
            "n_test": 256, "train_range": 3.0, "test_range": 5.0}


def evaluate(name: str, x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The clean target of benchmark ``name`` at inputs ``x`` and parameters ``t``."""
    law = LAWS[name]
    return law.fn(np.asarray(x, dtype=np.float64), **{k: f(np.asarray(t, dtype=np.float64))
                                                      for k, f in law.coefs.items()})


def _generate(run: Run):
    s = run.settings
    law = LAWS[run.system]
    grid = t_grid(s["grid"], s["n_t"], s["t_max"])
    parts = {}
    for split, n, half in (("train", s["n_train"], s["train_range"]),
                           ("val", s["n_val"], s["test_range"]),
                           ("test", s["n_test"], s["test_range"])):
        x = run.rng(split).uniform(-half, half, size=(len(grid), n))  # fresh x at every t
        t = np.broadcast_to(grid[:, None], x.shape)
        parts[split] = (x.ravel(), t.ravel(), evaluate(run.system, x, t).ravel())
    scale = float(np.std(parts["train"][2]))
    for split in ("train", "val"):
        x, t, y = parts[split]
        parts[split] = (x, t, add_noise(y, run.noise, run.rng(f"noise/{split}"), scale))
    x, t, y = (np.concatenate(a) for a in zip(*parts.values()))
    split = np.repeat(list(parts), [len(p[0]) for p in parts.values()])
    values = np.unique(grid)
    return tabular_dataset(
        inputs=x[:, None], target=y, param=t, split=split, feature_names=["x"],
        system=run.system, param_name="t", target_name="y", true_equation=law.equation,
        true_coef={k: f(values) for k, f in law.coefs.items()}, param_values=values,
        settings=run.record)


SYSTEMS = [System(name, _DESCRIPTIONS[name], "tabular", DEFAULTS, _generate,
                  choices={"grid": GRIDS}) for name in LAWS]
