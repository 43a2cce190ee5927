"""The ``dynamics`` task: trajectories through a recurrent cell of one network per state variable,
behind an encoder that infers each trajectory's hidden parameter (the earlier paper's kinematics
and harmonic oscillator). The pieces are in :mod:`peql.tasks.cells`; the report's rollouts and
update table in :mod:`peql.tasks.dynamics_report`.

Read-out: the trial with the lowest rollout error on the ``val`` trajectories within the trained
horizon (ties: fewer terms), its heads through the read-out chain, the latent-to-parameter line,
and the update equations in the parameter. Scores: every trial's latent correlation, rollout
errors inside and beyond the trained horizon and (symbolic cells) its structure judged after the
same chain; the selected trial's equation rollout too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import sympy

from ..fit import checkpoint as ckpt
from ..fit.models import build_cell
from ..fit.sequences import SequenceData
from ..fit.settings import resolve_device
from ..report.figures import latent_figure
from ..report.page import Section
from ..symbolic.latent_map import linear_map
from ..symbolic.readout import format_expr
from ..symbolic.select import select_by_terms
from .base import Task
from .cells import (cell_readouts, chained_cell, equation_rollout, judge_cell, latent_expression, network_rollout,
                    parameter_equations, series_latents, split_errors, trained_horizon)
from .common import chain_of, document_header, readout_threshold, success_rate, too_dense_note, trial_row
from .dynamics_report import rollout_figure, update_rows

FIGURE_TRAJECTORIES = 3  # test trajectories drawn in the report's rollout figure


def _val_rollout_mse(result, ds, horizon: int) -> np.ndarray:
    from ..data import sequence_arrays

    enc_v, traj_v, _ = sequence_arrays(ds, "val")
    pred_v = network_rollout(result, enc_v, traj_v, horizon)
    with np.errstate(all="ignore"):
        val_mse = np.mean((pred_v - traj_v[None, :, 1:horizon + 1, :]) ** 2, axis=(1, 2, 3))
    return np.where(np.isfinite(val_mse), val_mse, np.inf)


class DynamicsTask(Task):
    name = "dynamics"
    kinds = ("trajectories",)
    description = "trajectories through a recurrent cell behind an encoder of the hidden parameter"

    def training_data(self, ds, settings):
        from ..data import sequence_arrays

        enc, traj, p = sequence_arrays(ds, "train")
        data = SequenceData(enc, traj, p, [str(s) for s in ds["state"].values], ds.attrs.get("param_name", "t"),
                            resolve_device(settings.device))
        return data, ckpt.data_fingerprint(enc, traj, p), build_cell

    def read_out(self, result, ds, threshold, steps, provenance):
        from ..data import sequence_arrays

        d, H = result.data, trained_horizon(result)
        states, pname = list(d.input_names), d.param_name
        enc_t, traj_t, _ = sequence_arrays(ds, "train")
        enc_v, _, p_v = sequence_arrays(ds, "val")
        val_mse = _val_rollout_mse(result, ds, H)
        z_v, z_t = series_latents(result, enc_v), series_latents(result, enc_t)
        lines = [linear_map(z_v[k], p_v) for k in range(result.model.n_trials)]
        readouts = cell_readouts(result, threshold)
        n_terms = [sum(len(sympy.Add.make_args(sympy.sympify(r.skeleton))) for r in heads) if heads else np.inf
                   for heads in readouts]
        chosen = select_by_terms(val_mse, n_terms)
        raw, line = readouts[chosen], lines[chosen]
        heads, refitted = raw, False
        if heads is not None:
            heads, refitted = chained_cell(result, heads, steps, z_t[chosen], traj_t, H, threshold)
        trials = [trial_row(result, k, chosen, val_rollout_mse=float(val_mse[k]),
                            latent_correlation=lines[k]["correlation"],
                            n_terms=None if readouts[k] is None else int(n_terms[k])) for k in range(len(val_mse))]
        doc = document_header(result, self.name, chosen, provenance, encoder=result.settings.encoder,
                              kind="trajectories", trained_horizon=H, refit=refitted,
                              latent={"map": line, "map_fitted_on": "val"},
                              euler=json.loads(ds.attrs.get("euler_update", "{}")),
                              truth=json.loads(ds.attrs.get("true_update", "{}")),
                              trials=trials, skeleton=None, equations=[],
                              readout={"steps": [s for s in steps if s != "closed_form"], "threshold": float(threshold)})
        res = result.model.residual
        if raw is not None:
            doc["network"] = {"update": {s: format_expr(e) for s, e in parameter_equations(
                raw, states, pname, line, threshold, res).items()}}
        if heads is not None:
            doc["latent"]["update"] = {s: format_expr(latent_expression(r, s if res else None))
                                       for s, r in zip(states, heads)}
            doc["update"] = {s: format_expr(e) for s, e in parameter_equations(heads, states, pname, line,
                                                                                threshold, res).items()}
            doc["skeleton"] = "; ".join(f"{s}' = {e}" for s, e in doc["update"].items())
        return too_dense_note(doc, heads is not None, result.model.symbolic)

    def score(self, doc, ds, result=None):
        if result is None:
            raise ValueError("scoring a recurrent cell needs its run directory (its rollouts are the network's)")
        return {"method": doc.get("architecture"), "system": ds.attrs.get("system"),
                "score_split": ds.attrs.get("score_split", "test"), "selected_trial": doc.get("selected_trial"),
                "wall_time_s": doc.get("wall_time_s"), "readout": doc.get("readout"), **cell_scores(doc, ds, result)}

    def report(self, name, ds, docs, scores, figures: Path):
        pics = [rollout_figure(ds, scores, figures / f"{name}__rollouts.png"),
                latent_figure(ds, scores, figures / f"{name}__latents.png")]
        return Section(name, str(ds.attrs.get("system", "")), str(ds.attrs.get("true_equation", "")),
                       [p for p in pics if p], [], update_rows(ds, docs))

    def describe(self, doc):
        lines = super().describe(doc)[:1]
        if doc.get("euler"):
            lines.append("  Euler's step: " + "; ".join(f"{s}' = {e}" for s, e in doc["euler"].items()))
        return lines


def _trial_scores(result, doc, ds, k: int, pred, traj, H: int, readouts, z_v, p_v, z_t, traj_t, p_t) -> dict:
    """One trial's row: latent correlation, rollout errors and (symbolic) its update judged from
    its network read-out and after the document's chain."""
    line = linear_map(z_v[k], p_v)
    row = {"trial": k, "latent_correlation": line["correlation"], **split_errors(pred[k], traj[:, 1:], H)}
    raw = readouts[k]
    if raw is None:
        if result.model.symbolic:
            row.update(structure_correct_network=False, structure_correct_refined=False)
        return row
    states, pname = [str(s) for s in ds["state"].values], ds.attrs["param_name"]
    threshold = readout_threshold(doc)
    refined, _ = chained_cell(result, raw, chain_of(doc), z_t[k], traj_t, H, threshold)
    for label, heads in (("network", raw), ("refined", refined)):
        eqs = parameter_equations(heads, states, pname, line, threshold, residual=result.model.residual)
        verdict = judge_cell(eqs, ds, traj_t, p_t, H)
        row[f"structure_correct_{label}"] = verdict["correct"]
        row[f"coef_rel_error_pct_{label}"] = verdict["coef_rel_error_pct"]
        row[f"update_{label}"] = {s: format_expr(e) for s, e in eqs.items()}
    return row


def cell_scores(doc: dict, ds, result) -> dict[str, Any]:
    """The scores of a recurrent-cell run on the scored split (see the module docstring)."""
    from ..data import sequence_arrays

    split = ds.attrs.get("score_split", "test")
    enc, traj, p = sequence_arrays(ds, split)
    enc_t, traj_t, p_t = sequence_arrays(ds, "train")
    enc_v, _, p_v = sequence_arrays(ds, "val")
    H = doc.get("trained_horizon") or trained_horizon(result)
    states, pname = [str(s) for s in ds["state"].values], ds.attrs["param_name"]
    pred = network_rollout(result, enc, traj)
    z_v, z_t = series_latents(result, enc_v), series_latents(result, enc_t)
    readouts = (cell_readouts(result, readout_threshold(doc)) if ds.attrs.get("true_update")
                else [None] * result.model.n_trials)
    trials = [_trial_scores(result, doc, ds, k, pred, traj, H, readouts, z_v, p_v, z_t, traj_t, p_t)
              for k in range(result.model.n_trials)]
    k = doc.get("selected_trial") or 0
    shown = slice(0, FIGURE_TRAJECTORIES)
    figure = {"time": np.asarray(ds["time"].values, float).tolist(), "truth": traj[shown].tolist(),
              "network": pred[k][shown].tolist(), "latent": z_v[k].tolist(), "latent_truth": p_v.tolist()}
    network: dict[str, Any] = {key: trials[k][key] for key in trials[k] if key.startswith("rollout_")}
    network.update(test_mse=network["rollout_mse_in"], extrapolation_mse=network["rollout_mse_out"],
                   **_update_verdict((doc.get("network") or {}).get("update"), ds, traj_t, p_t, H),
                   success_rate=success_rate(trials, "structure_correct_network"), trials=trials)
    refined: dict[str, Any] = {**_update_verdict(doc.get("update"), ds, traj_t, p_t, H),
                               "success_rate": success_rate(trials, "structure_correct_refined")}
    if doc.get("update"):
        eq_pred = equation_rollout(doc["update"], states, pname, traj, p)
        refined.update(split_errors(eq_pred, traj[:, 1:], H))
        refined["test_mse"], refined["extrapolation_mse"] = refined["rollout_mse_in"], refined["rollout_mse_out"]
        figure["equation"] = eq_pred[shown].tolist()
    return {"trained_horizon": H, "steps": int(traj.shape[1] - 1), "latent_correlation": trials[k]["latent_correlation"],
            "network": network, "refined": refined, "figure_data": figure}


def _update_verdict(update: dict | None, ds, traj_t, p_t, H: int) -> dict[str, Any]:
    """The structure verdict and coefficient errors of update equations (empty without them)."""
    if not update:
        return {}
    verdict = judge_cell(update, ds, traj_t, p_t, H)
    return {"update": update, "structure_correct": verdict["correct"], "structure": verdict["states"],
            "coef_rel_error_pct": verdict["coef_rel_error_pct"], "coef_rel_error_max_pct": verdict["coef_rel_error_max_pct"]}


DYNAMICS = DynamicsTask()
