"""Every trial of a batch read out, scored on held-out data, and one selected: the lowest
validation error, and among trials within 10 % of it the fewest terms."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import sympy

from ..fit.predict import normalise_target, predict
from .readout import Readout, ReadoutTooComplex, read_out

TIE_TOLERANCE = 1.1  # validation errors within 10 % of the best count as a tie


def trial_scores(result, x: np.ndarray, y: np.ndarray, param: np.ndarray) -> np.ndarray:
    """Per-trial MSE in the network's (normalised) target units, deterministic gates."""
    pred = predict(result.model, result.data, x, param, grid=result.architecture.grid, normalised=True)
    target = normalise_target(result.data, y, param)
    with np.errstate(all="ignore"):
        mse = np.mean((pred - target[None, :]) ** 2, axis=1)
    return np.where(np.isfinite(mse), mse, np.inf)


def read_out_trials(model, data, threshold: float = 0.01) -> list[Readout | None]:
    """Every trial of a symbolic ``model`` (or head) read out on ``data``'s grid (None where a
    trial is too dense to read out); a non-symbolic model has nothing to read."""
    if not model.symbolic:
        return [None] * model.n_trials
    outs = []
    for k in range(model.n_trials):
        try:
            outs.append(read_out(model, k, data.scaling, data.param_values, data.t.cpu().numpy(), threshold))
        except ReadoutTooComplex:
            outs.append(None)
    return outs


def n_terms(r: Readout | None) -> float:
    """Additive terms of a read-out's skeleton (inf: no read-out)."""
    return len(sympy.Add.make_args(sympy.sympify(r.skeleton))) if r is not None else np.inf


def select(val_mse: np.ndarray, readouts: Sequence[Readout | None]) -> int:
    """Lowest validation error; among trials within 10 % of it, the fewest terms."""
    return select_by_terms(val_mse, [n_terms(r) for r in readouts])


def select_by_terms(val_mse: np.ndarray, terms: Sequence[float]) -> int:
    """:func:`select` given each trial's number of terms (inf: none readable)."""
    best = float(np.min(val_mse))
    tied = [k for k in range(len(val_mse)) if val_mse[k] <= TIE_TOLERANCE * best]
    return min(tied, key=lambda k: (terms[k], val_mse[k]))


def group_rows(x: np.ndarray, y: np.ndarray, param: np.ndarray, values: np.ndarray):
    """Split samples by parameter value, in the order of ``values``."""
    return [x[param == v] for v in values], [y[param == v] for v in values]
