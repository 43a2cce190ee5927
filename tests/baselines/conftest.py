"""Small clean PDE datasets (spectral space derivatives, fourth-order u_t) and a scorer that
judges an equations document with the project's one structure rule (peql.evaluate)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
import sympy

from peql.data import BUILTIN_DERIVATIVES, BUILTIN_SYSTEMS, derive_features, input_names, split_arrays, true_coefficients
from peql.evaluate import coefficient_errors, coefficient_estimates, judge_structure, true_expressions

SYSTEMS = {s.name: s for s in BUILTIN_SYSTEMS}
METHODS = {m.name: m for m in BUILTIN_DERIVATIVES}
# Small grids: every fit on them takes well under a second, and fd4 u_t stays accurate enough
# (Burgers on t in [0, 5] with 128 slices instead of [0, 10] with 256).
SMALL = {"burgers": {"n_space": 256, "n_time": 128, "t_end": 5.0},
         "advection_diffusion": {"n_space": 64, "n_time": 256}}


@dataclass
class Data:
    ds: object
    x: np.ndarray
    y: np.ndarray
    param: np.ndarray
    names: list
    param_name: str


@dataclass
class Score:
    correct: bool
    per_param_correct: np.ndarray
    recovered: list
    coef_mse: float | None
    n_compared: int
    rel_residual: float


@pytest.fixture(scope="session")
def pde():
    """``pde(system, cross)`` -> the train split of a small clean derived dataset (cached)."""
    fields, cache = {}, {}

    def get(system: str, cross: bool) -> Data:
        if (system, cross) not in cache:
            if system not in fields:
                fields[system] = SYSTEMS[system].simulate(**SMALL[system])
            ds = derive_features(fields[system], METHODS["spectral"], time_method=METHODS["fd4"],
                                 cross_terms=cross)
            cache[system, cross] = Data(ds, *split_arrays(ds, "train"), input_names(ds), ds.attrs["param_name"])
        return cache[system, cross]

    return get


def predictions(doc: dict, data: Data) -> np.ndarray:
    """The document's equations evaluated on every row (each row with its parameter's equation)."""
    syms = [sympy.Symbol(n) for n in data.names]
    out = np.full(len(data.y), np.nan)
    for eq in doc["equations"]:
        rows = data.param == eq["param"]
        fn = sympy.lambdify(syms, sympy.sympify(eq["expression"]), "numpy")
        out[rows] = np.broadcast_to(fn(*data.x[rows].T), (int(rows.sum()),))
    return out


def score(doc: dict, data: Data) -> Score:
    """Structure verdict, coefficient MSE on the true terms and relative residual of a document."""
    ds = data.ds
    values, coef = true_coefficients(ds)
    truth = true_expressions(ds.attrs["true_equation"], data.param_name, values, coef)
    by_param = {e["param"]: e["expression"] for e in doc["equations"]}
    learned = [by_param[float(v)] for v in values]
    xs = [data.x[data.param == v] for v in values]
    ys = [data.y[data.param == v] for v in values]
    verdict = judge_structure(learned, truth, xs, ys, data.names)
    est = coefficient_estimates(verdict.learned_terms, ds.attrs["true_equation"], data.param_name,
                                values, coef, verdict.per_param_correct)
    errors = coefficient_errors(est, coef)
    pred = predictions(doc, data)
    return Score(verdict.correct, verdict.per_param_correct, verdict.recovered, errors["coef_mse"],
                 errors["n_compared"], float(np.linalg.norm(pred - data.y) / np.linalg.norm(data.y)))


@pytest.fixture(scope="session")
def judge():
    return score
