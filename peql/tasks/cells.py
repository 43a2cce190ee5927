"""The pieces of the recurrent-cell read-out and scores (the earlier paper's kinematics and
harmonic oscillator, eql-integration section 4.3), used by :mod:`peql.tasks.dynamics`.

Each head of the cell is read out in ``u, v, z`` exactly as any EQL network, and goes through the
read-out chain on the training one-step pairs (state, latent) -> next state within the trained
horizon. The latent is mapped to the hidden parameter by a line fitted on the ``val`` series (as
the latent task does for images), and substituting it gives the update equations in ``u, v`` and
the parameter. Those are judged by the project's one structure rule against the dataset's
``true_update`` on the same one-step pairs, and shown beside Euler's step.

Errors of the propagated trajectories are split at the trained horizon: steps up to it are
"in" the training regime, later steps are extrapolation in time.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import sympy
import torch

from ..evaluate.rule import judge_structure
from ..fit.data import Scaling
from ..fit.sequences import LATENT, horizon_at
from ..symbolic.chain import apply_chain
from ..symbolic.latent_map import transform
from ..symbolic.readout import ReadoutTooComplex, read_out

_ROWS = 2048


def trained_horizon(result) -> int:
    """The number of predicted steps the cell was last trained on (the curriculum's end)."""
    return horizon_at(result.settings.horizon, max(result.settings.steps - 1, 0), result.data.longest)


def _scaled_series(result, encoder_series: np.ndarray) -> torch.Tensor:
    d = result.data
    x = np.swapaxes(np.asarray(encoder_series, np.float64) / d.scaling.x_scale, 1, 2)
    return torch.as_tensor(x, dtype=d.dtype, device=d.device)


@torch.no_grad()
def series_latents(result, encoder_series: np.ndarray) -> np.ndarray:
    """Every trial's latent ``(T, n)`` of encoder series ``(n, steps_in, states)``."""
    model, T = result.model, result.model.n_trials
    x = _scaled_series(result, encoder_series)
    out = [model.latents(x[a:a + _ROWS].expand(T, *x[a:a + _ROWS].shape)).double().cpu().numpy()
           for a in range(0, len(x), _ROWS)]
    return np.concatenate(out, axis=1)


@torch.no_grad()
def network_rollout(result, encoder_series: np.ndarray, series: np.ndarray, steps: int | None = None) -> np.ndarray:
    """Every trial's propagated states ``(T, n, steps, states)`` from each trajectory's step 0
    (deterministic gates); ``steps`` defaults to the whole trajectory."""
    model, d, T = result.model, result.data, result.model.n_trials
    steps = steps or series.shape[1] - 1
    z = torch.as_tensor(series_latents(result, encoder_series), dtype=d.dtype, device=d.device)
    y0 = torch.as_tensor(np.asarray(series)[:, 0, :], dtype=d.dtype, device=d.device)
    out = []
    for a in range(0, len(y0), _ROWS):
        init = y0[a:a + _ROWS].expand(T, *y0[a:a + _ROWS].shape)
        out.append(model.rollout(z[:, a:a + _ROWS], init, steps)[0].double().cpu().numpy())
    return np.concatenate(out, axis=1)


def one_step_pairs(series: np.ndarray, horizon: int, per_sample: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``[state_k, q]`` and next states for k < horizon, where ``q`` is one value per
    trajectory (its latent or its parameter): ``(n * horizon, states + 1)``, ``(n * horizon, states)``."""
    s = np.asarray(series, np.float64)
    n, _, S = s.shape
    now, nxt = s[:, :horizon, :], s[:, 1:horizon + 1, :]
    q = np.broadcast_to(np.asarray(per_sample, np.float64)[:, None, None], (n, horizon, 1))
    return np.concatenate([now, q], axis=-1).reshape(-1, S + 1), nxt.reshape(-1, S)


def cell_readouts(result, threshold: float = 0.01) -> list[list | None]:
    """Every trial's heads read out in the states and ``z`` (None: a head too dense to read
    out, or a non-symbolic cell)."""
    model = result.model
    if not model.symbolic:
        return [None] * model.n_trials
    unit = Scaling(np.ones(len(result.data.input_names)), 1.0, np.zeros(1), np.ones(1), "none")
    zero = np.zeros(1)
    outs = []
    for k in range(model.n_trials):
        try:
            outs.append([read_out(h, k, unit, zero, zero, threshold) for h in model.heads])
        except ReadoutTooComplex:
            outs.append(None)
    return outs


def latent_expression(r, state: str | None = None) -> sympy.Expr:
    """A head's read-out as one expression in the states and ``z``; with ``state`` (a residual
    cell's head, which predicts the change) that state is added, giving the next state."""
    expr = sympy.sympify(r.skeleton).xreplace({sympy.Symbol(c): sympy.Float(float(v[0]))
                                               for c, v in r.coefficients.items()})
    return expr + sympy.Symbol(state) if state else expr


def chained_cell(result, heads: list, steps, z_train: np.ndarray, series: np.ndarray, horizon: int,
                 threshold: float = 0.01) -> tuple[list, bool]:
    """The heads through the read-out chain on the training one-step pairs; returns them and
    whether they were refitted."""
    X, Y = one_step_pairs(series, horizon, z_train)
    if result.model.residual:  # a residual cell's heads predict the change
        Y = Y - X[:, :Y.shape[1]]
    names = [*result.data.input_names, LATENT]
    out = [apply_chain(r, steps, [X], [Y[:, i]], names, threshold, LATENT) for i, r in enumerate(heads)]
    return [r for r, _ in out], all(record.refitted for _, record in out)


def parameter_equations(heads: list, state_names, param_name: str, line: dict, threshold: float = 0.01,
                        residual: bool = False) -> dict:
    """``{state: expression}`` in the states and the parameter (the latent replaced by its line);
    ``residual``: the heads predict the change, and the state is added back."""
    return {s: transform(latent_expression(r, s if residual else None), [LATENT], [param_name], line, threshold)
            for s, r in zip(state_names, heads)}


def judge_cell(equations: dict, ds, series: np.ndarray, param: np.ndarray, horizon: int) -> dict[str, Any]:
    """Each state's update equation judged against ``true_update`` on the one-step pairs
    (inputs: states and the parameter), with the relative error of every true term's coefficient."""
    truth = json.loads(ds.attrs["true_update"])
    states = [str(s) for s in ds["state"].values]
    names = [*states, ds.attrs["param_name"]]
    X, Y = one_step_pairs(series, horizon, param)
    out, errors = {}, []
    for i, s in enumerate(states):
        v = judge_structure([equations[s]], [truth[s]], [X], [Y[:, i]], names)
        row = v.to_dict()
        learned = _leads(v.learned_terms[0])
        true = _leads(v.true_terms[0])
        if v.correct:
            rel = {shape: abs(learned[shape] - c) / abs(c) for shape, c in true.items()}
            row["coef_rel_error_pct"] = {shape: 100 * e for shape, e in rel.items()}
            errors += list(rel.values())
        out[s] = row
    correct = all(r["correct"] for r in out.values())
    return {"correct": correct, "states": out,
            "coef_rel_error_pct": float(100 * np.mean(errors)) if correct and errors else None,
            "coef_rel_error_max_pct": float(100 * np.max(errors)) if correct and errors else None}


def _leads(terms) -> dict[str, float]:
    leads: dict[str, float] = {}
    for _, shape, lead, *_ in terms:
        leads[str(shape)] = leads.get(str(shape), 0.0) + float(lead)
    return leads


def equation_rollout(equations: dict, state_names, param_name: str, series: np.ndarray,
                     param: np.ndarray, steps: int | None = None) -> np.ndarray:
    """States ``(n, steps, states)`` obtained by iterating the update equations from step 0."""
    syms = [sympy.Symbol(n) for n in [*state_names, param_name]]
    fns = [sympy.lambdify(syms, sympy.sympify(equations[s]), "numpy") for s in state_names]
    steps = steps or series.shape[1] - 1
    state = np.asarray(series, np.float64)[:, 0, :].copy()
    out = np.empty((len(state), steps, state.shape[1]))
    with np.errstate(all="ignore"):
        for k in range(steps):
            state = np.stack([np.broadcast_to(np.asarray(f(*state.T, param), float), (len(state),))
                              for f in fns], axis=1)
            out[:, k] = state
    return out


def split_errors(pred: np.ndarray, truth: np.ndarray, horizon: int) -> dict[str, float | None]:
    """MSE of predicted states up to the trained horizon and after it, and each divided by the
    variance of the true states over the same steps (so kinematics' growth does not hide it)."""
    out = {}
    for key, sl in (("in", slice(0, horizon)), ("out", slice(horizon, None))):
        p, t = pred[..., sl, :], truth[..., sl, :]
        if t.size == 0:
            out[f"rollout_mse_{key}"] = out[f"rollout_nmse_{key}"] = None
            continue
        with np.errstate(all="ignore"):
            mse = float(np.mean((p - t) ** 2))
        mse = mse if np.isfinite(mse) else float("inf")
        out[f"rollout_mse_{key}"] = mse
        out[f"rollout_nmse_{key}"] = mse / float(np.var(t)) if np.var(t) > 0 else None
    return out
