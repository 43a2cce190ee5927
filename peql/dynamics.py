"""Read-out and scores of recurrent-cell models (the earlier paper's kinematics and harmonic
oscillator, eql-integration section 4.3).

Each head of the cell is read out in ``u, v, z`` exactly as any EQL network, and its leading
coefficients are refit by least squares on the training one-step pairs (state, latent) -> next
state within the trained horizon. The latent is mapped to the hidden parameter by a line fitted on
the ``val`` series (as :mod:`peql.latent` does for images), and substituting it gives the update
equations in ``u, v`` and the parameter. Those are judged by the project's one structure rule
against the dataset's ``true_update`` on the same one-step pairs, and shown beside Euler's step.

Errors of the propagated trajectories are split at the trained horizon: steps up to it are
"in" the training regime, later steps are extrapolation in time.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import sympy
import torch

from .latent import linear_map, transform
from .symbolic.readout import ReadoutTooComplex, format_expr, read_out
from .symbolic.refit import refit_readout
from .symbolic.structure import judge_structure

_ROWS = 2048
FIGURE_TRAJECTORIES = 3  # test trajectories drawn in the report's rollout figure


def is_dynamics(ds) -> bool:
    """Whether a dataset holds trajectories for a recurrent cell."""
    return ds.attrs.get("kind") == "trajectories"


def trained_horizon(result) -> int:
    """The number of predicted steps the cell was last trained on (the curriculum's end)."""
    from .fit.sequences import horizon_at

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
    from .fit.data import Scaling

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


def _residual(result) -> bool:
    return bool(getattr(result.model, "residual", False))


def refit_cell(result, heads: list, z_train: np.ndarray, series: np.ndarray, horizon: int,
               threshold: float = 0.01) -> list:
    """The heads' leading coefficients refit by least squares on the training one-step pairs."""
    from .fit.sequences import LATENT

    X, Y = one_step_pairs(series, horizon, z_train)
    if _residual(result):  # a residual cell's heads predict the change
        Y = Y - X[:, :Y.shape[1]]
    names = [*result.data.input_names, LATENT]
    return [refit_readout(r, [X], [Y[:, i]], names, threshold) for i, r in enumerate(heads)]


def parameter_equations(heads: list, state_names, param_name: str, line: dict, threshold: float = 0.01,
                        residual: bool = False) -> dict:
    """``{state: expression}`` in the states and the parameter (the latent replaced by its line);
    ``residual``: the heads predict the change, and the state is added back."""
    from .fit.sequences import LATENT

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


def dynamics_document(result, ds, threshold: float = 0.01, refit: bool = True,
                      provenance: dict | None = None) -> dict[str, Any]:
    """``equations.json`` of a recurrent-cell run: the trial with the lowest rollout error on the
    ``val`` trajectories within the trained horizon (ties: fewer terms), its heads read out in
    the latent, the latent-to-parameter line, and the update equations in the parameter."""
    from .data import sequence_arrays
    from .symbolic.extract import select_by_terms

    d, H = result.data, trained_horizon(result)
    states, pname = list(d.input_names), d.param_name
    enc_t, traj_t, p_t = sequence_arrays(ds, "train")
    enc_v, traj_v, p_v = sequence_arrays(ds, "val")
    pred_v = network_rollout(result, enc_v, traj_v, H)
    with np.errstate(all="ignore"):
        val_mse = np.mean((pred_v - traj_v[None, :, 1:H + 1, :]) ** 2, axis=(1, 2, 3))
    val_mse = np.where(np.isfinite(val_mse), val_mse, np.inf)
    z_v, z_t = series_latents(result, enc_v), series_latents(result, enc_t)
    lines = [linear_map(z_v[k], p_v) for k in range(result.model.n_trials)]
    readouts = cell_readouts(result, threshold)
    n_terms = [sum(len(sympy.Add.make_args(sympy.sympify(r.skeleton))) for r in heads) if heads else np.inf
               for heads in readouts]
    chosen = select_by_terms(val_mse, n_terms)
    heads, line = readouts[chosen], lines[chosen]
    refitted = bool(refit and heads is not None)
    if refitted:
        heads = refit_cell(result, heads, z_t[chosen], traj_t, H, threshold)
    trials = [{"trial": k, "val_rollout_mse": float(val_mse[k]), "latent_correlation": lines[k]["correlation"],
               "n_terms": None if readouts[k] is None else int(n_terms[k]),
               "restarts": int(result.restarts[k]) if result.restarts else 0, "selected": k == chosen}
              for k in range(len(val_mse))]
    doc = {"parameter": pname, "inputs": states, "architecture": result.settings.architecture,
           "encoder": result.settings.encoder, "selected_trial": int(chosen), "kind": "trajectories",
           "trained_horizon": H, "refit": refitted, "latent": {"map": line, "map_fitted_on": "val"},
           "euler": json.loads(ds.attrs.get("euler_update", "{}")),
           "truth": json.loads(ds.attrs.get("true_update", "{}")),
           "trials": trials, "settings": result.settings.to_dict(), "scaling": d.scaling.to_dict(),
           "provenance": provenance or {}, "skeleton": None, "equations": []}
    if heads is not None:
        res = _residual(result)
        doc["latent"]["update"] = {s: format_expr(latent_expression(r, s if res else None))
                                   for s, r in zip(states, heads)}
        doc["update"] = {s: format_expr(e) for s, e in parameter_equations(heads, states, pname, line,
                                                                            threshold, res).items()}
        doc["skeleton"] = "; ".join(f"{s}' = {e}" for s, e in doc["update"].items())
    elif result.model.symbolic:
        doc["note"] = "the selected trial has too many live weights to read out"
    return doc


def dynamics_scores(doc: dict, ds, result) -> dict[str, Any]:
    """Scores of a recurrent-cell run on the scored split: every trial's latent correlation,
    rollout errors inside and beyond the trained horizon and (symbolic cells) its structure judged
    after the same refit as the selected trial; the selected trial's equation rollout too."""
    from .data import sequence_arrays

    split = ds.attrs.get("score_split", "test")
    enc, traj, p = sequence_arrays(ds, split)
    enc_t, traj_t, p_t = sequence_arrays(ds, "train")
    enc_v, _, p_v = sequence_arrays(ds, "val")
    H = doc.get("trained_horizon") or trained_horizon(result)
    states, pname = [str(s) for s in ds["state"].values], ds.attrs["param_name"]
    pred = network_rollout(result, enc, traj)
    z_v, z_t = series_latents(result, enc_v), series_latents(result, enc_t)
    readouts = cell_readouts(result) if ds.attrs.get("true_update") else [None] * result.model.n_trials
    trials = []
    for k in range(result.model.n_trials):
        line = linear_map(z_v[k], p_v)
        row = {"trial": k, "latent_correlation": line["correlation"], **split_errors(pred[k], traj[:, 1:], H)}
        heads = readouts[k]
        if heads is not None:
            if doc.get("refit"):
                heads = refit_cell(result, heads, z_t[k], traj_t, H)
            eqs = parameter_equations(heads, states, pname, line, residual=_residual(result))
            verdict = judge_cell(eqs, ds, traj_t, p_t, H)
            row.update(structure_correct=verdict["correct"], coef_rel_error_pct=verdict["coef_rel_error_pct"],
                       update={s: format_expr(e) for s, e in eqs.items()})
        elif result.model.symbolic:
            row["structure_correct"] = False
        trials.append(row)
    k = doc.get("selected_trial") or 0
    shown = slice(0, FIGURE_TRAJECTORIES)
    figure = {"time": np.asarray(ds["time"].values, float).tolist(), "truth": traj[shown].tolist(),
              "network": pred[k][shown].tolist(), "latent": z_v[k].tolist(), "latent_truth": p_v.tolist()}
    out: dict[str, Any] = {"trained_horizon": H, "steps": int(traj.shape[1] - 1),
                           "latent_correlation": trials[k]["latent_correlation"],
                           **{key: trials[k][key] for key in trials[k] if key.startswith("rollout_")}}
    out["test_mse"] = out["rollout_mse_in"]
    out["extrapolation_mse"] = out["rollout_mse_out"]
    if doc.get("update"):
        verdict = judge_cell(doc["update"], ds, traj_t, p_t, H)
        out["structure_correct"] = verdict["correct"]
        out["structure"] = verdict["states"]
        out["coef_rel_error_pct"] = verdict["coef_rel_error_pct"]
        out["coef_rel_error_max_pct"] = verdict["coef_rel_error_max_pct"]
        eq_pred = equation_rollout(doc["update"], states, pname, traj, p)
        out.update({f"equation_{key}": v for key, v in split_errors(eq_pred, traj[:, 1:], H).items()})
        figure["equation"] = eq_pred[shown].tolist()
    judged = [t["structure_correct"] for t in trials if "structure_correct" in t]
    if judged:
        out["success_rate"] = float(np.mean(judged))
    out["trials"] = trials
    out["figure_data"] = figure
    return out
