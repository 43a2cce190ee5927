"""Prediction errors of equations and networks on a split, grouped by parameter value: raw MSE
and the paper's units (targets min-max normalised per parameter value with the training min and
range, Table VIII)."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import sympy


class Groups:
    """Samples of one split grouped by parameter value."""

    def __init__(self, x: np.ndarray, y: np.ndarray, param: np.ndarray):
        self.values = np.unique(param)
        idx = np.searchsorted(self.values, param)
        order = np.argsort(idx, kind="stable")
        bounds = np.searchsorted(idx[order], np.arange(len(self.values) + 1))
        self.rows = [order[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
        self.x, self.y, self.param = x, y, param

    def xs(self) -> list[np.ndarray]:
        """Inputs of each parameter value, in the order of ``values``."""
        return [self.x[r] for r in self.rows]

    def ys(self) -> list[np.ndarray]:
        """Targets of each parameter value, in the order of ``values``."""
        return [self.y[r] for r in self.rows]


def _minmax(groups: Groups) -> tuple[np.ndarray, np.ndarray]:
    lo = np.array([y.min() for y in groups.ys()])
    rng = np.array([y.max() - y.min() for y in groups.ys()])
    return lo, np.where(rng > 0, rng, 1.0)


def expression_predictions(exprs: dict[float, str], input_names: Sequence[str], groups: Groups) -> np.ndarray:
    """Predictions of per-parameter-value expressions on every sample of ``groups`` (NaN where a
    parameter value has no expression)."""
    syms = [sympy.Symbol(n) for n in input_names]
    keys = np.array(sorted(exprs))
    out = np.full(len(groups.y), np.nan)
    for v, rows in zip(groups.values, groups.rows):
        j = np.searchsorted(keys, v)
        cand = [k for k in (j - 1, j) if 0 <= k < len(keys)]
        if not cand:
            continue
        k = min(cand, key=lambda c: abs(keys[c] - v))
        if abs(keys[k] - v) > 1e-9 * max(1.0, abs(v)):
            continue
        fn = sympy.lambdify(syms, sympy.sympify(exprs[float(keys[k])]), "numpy")
        with np.errstate(all="ignore"):
            out[rows] = np.broadcast_to(fn(*groups.x[rows].T), (len(rows),))
    return out


def mse(pred: np.ndarray, y: np.ndarray) -> float | None:
    """MSE over the finite predictions; None when more than 1 % of them are not finite."""
    ok = np.isfinite(pred)
    return float(np.mean((pred[ok] - y[ok]) ** 2)) if ok.any() and ok.mean() > 0.99 else None


def paper_units(pred, y, param, train_groups: Groups) -> float | None:
    """:func:`mse` with targets min-max normalised per parameter value by the training split's."""
    lo, rng = _minmax(train_groups)
    idx = np.clip(np.searchsorted(train_groups.values, param), 0, len(train_groups.values) - 1)
    return mse((pred - lo[idx]) / rng[idx], (y - lo[idx]) / rng[idx])
