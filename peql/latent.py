"""Read-out and scores of encoder models (images -> latents -> head), the paper's section IV-C.

The head's equation is read out in latent space (``z1, z2, ...``) exactly as any model's. The
latent is then mapped back to the quantity it encodes: a line ``z = slope * psi + intercept``
fitted on held-out images (the ``val`` split; one line shared by every slot, since the encoder is
shared), whose quality is the correlation of latent and truth. Substituting the line into the
latent equation gives the equation in the true inputs (the paper's "learned transformed"
column), which is judged by the project's one structure rule and scored like any other
equation. The intercept is kept in the substitution (the paper drops it; for laws in
differences it cancels either way).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import sympy
import torch

from .symbolic.readout import ReadoutTooComplex, format_expr, prune_terms, read_out
from .symbolic.refit import refit_readout


def is_encoded(result) -> bool:
    """Whether a fitted run has an encoder in front of its head."""
    return bool(getattr(result.settings, "encoder", None))


@torch.no_grad()
def latents(result, images: np.ndarray, rows: int = 4096) -> np.ndarray:
    """Every trial's latents ``(T, n, slots)`` of images ``(n, slots, *image)``."""
    model, dev = result.model, result.data.device
    T = model.n_trials
    out = []
    for a in range(0, len(images), rows):
        chunk = torch.as_tensor(np.asarray(images[a:a + rows], dtype=np.float32), device=dev)
        out.append(model.latents(chunk.expand(T, *chunk.shape)).double().cpu().numpy())
    return np.concatenate(out, axis=1)


def linear_map(z: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """The line ``z = slope * truth + intercept`` over all slots, and their correlation."""
    z, truth = np.ravel(z), np.ravel(truth)
    slope, intercept = np.polyfit(truth, z, 1)
    with np.errstate(all="ignore"):
        corr = float(np.corrcoef(truth, z)[0, 1])
    return {"slope": float(slope), "intercept": float(intercept),
            "correlation": corr if np.isfinite(corr) else 0.0}


def transform(expr, latent_names: Sequence[str], input_names: Sequence[str], line: dict,
              threshold: float = 0.01) -> sympy.Expr:
    """A latent-space expression in the true inputs: ``z_i -> slope * x_i + intercept``."""
    sub = {sympy.Symbol(z): line["slope"] * sympy.Symbol(x) + line["intercept"]
           for z, x in zip(latent_names, input_names)}
    return prune_terms(sympy.expand(sympy.sympify(expr).xreplace(sub)), threshold)


def encoded_document(result, ds, threshold: float = 0.01, refit: bool = True,
                     provenance: dict | None = None) -> dict[str, Any]:
    """``equations.json`` of an encoder run: the trial chosen on the ``val`` split, its latent
    equations (refit per parameter value on the training latents), the latent-to-truth line and
    the equations in the true inputs."""
    from .data import image_arrays, input_names, split_arrays
    from .symbolic.extract import n_terms, select, trial_scores

    names = input_names(ds)
    d = result.data
    train, val = split_arrays(ds, "train"), split_arrays(ds, "val")
    img_train, img_val = image_arrays(ds, "train"), image_arrays(ds, "val")
    train_mse = trial_scores(result, img_train, train[1], train[2])
    val_mse = trial_scores(result, img_val, val[1], val[2])
    z_val = latents(result, img_val)
    lines = [linear_map(z_val[k], val[0]) for k in range(result.model.n_trials)]
    readouts = latent_readouts(result, threshold)
    chosen = select(val_mse, readouts)
    r, line = readouts[chosen], lines[chosen]
    refitted = bool(refit and r is not None)
    if refitted:
        r = refit_on_latents(result, r, latents(result, img_train)[chosen], train[1], train[2], threshold)
    trials = [{"trial": k, "train_mse": float(train_mse[k]), "val_mse": float(val_mse[k]),
               "latent_skeleton": readouts[k].skeleton if readouts[k] else None,
               "n_terms": None if readouts[k] is None else int(n_terms(readouts[k])),
               "latent_correlation": lines[k]["correlation"],
               "restarts": int(result.restarts[k]) if result.restarts else 0,
               "selected": k == chosen} for k in range(len(val_mse))]
    doc = {
        "parameter": d.param_name, "inputs": names, "architecture": result.settings.architecture,
        "encoder": result.settings.encoder, "selected_trial": int(chosen),
        "skeleton": r.skeleton if r else None, "skeleton_inputs": list(d.input_names),
        "equations": [], "coefficients": {}, "closed_form": {}, "refit": refitted,
        "latent": {"inputs": list(d.input_names), "map": line, "map_fitted_on": "val"},
        "trials": trials, "settings": result.settings.to_dict(), "scaling": d.scaling.to_dict(),
        "provenance": provenance or {},
    }
    if r is not None:
        doc["latent"]["equations"] = [{"param": float(p), "expression": e}
                                      for p, e in zip(r.param_values, r.expression_strings())]
        doc["latent"]["coefficients"] = {"param": r.param_values.tolist(),
                                         **{k: v.tolist() for k, v in r.coefficients.items()}}
        doc["equations"] = [{"param": float(p), "expression": format_expr(transform(e, d.input_names, names, line,
                                                                                    threshold))}
                            for p, e in zip(r.param_values, r.expressions)]
    elif result.architecture.symbolic:
        doc["note"] = "the selected trial has too many live weights to read out"
    return doc


def refit_on_latents(result, r, z_train: np.ndarray, y: np.ndarray, param: np.ndarray, threshold: float = 0.01):
    """A trial's latent read-out with its coefficients refit per parameter value on the training
    images' latents ``z_train`` (n, slots) (what the selected trial gets in ``equations.json``)."""
    from .symbolic.extract import group_rows

    zs, ys = group_rows(z_train, y, param, result.data.param_values)
    return refit_readout(r, zs, ys, result.data.input_names, threshold)


def latent_readouts(result, threshold: float = 0.01) -> list:
    """Every trial's head read out in latent space (None: too dense, or not symbolic)."""
    head, d = result.model.head, result.data
    if not head.symbolic:
        return [None] * head.n_trials
    outs = []
    for k in range(head.n_trials):
        try:
            outs.append(read_out(head, k, d.scaling, d.param_values, d.t.cpu().numpy(), threshold))
        except ReadoutTooComplex:
            outs.append(None)
    return outs


def extrapolation_mask(ds, x: np.ndarray) -> np.ndarray | None:
    """Samples outside the training domain, by the dataset's ``extrapolation`` rule (a SymPy
    relation in the input names, e.g. ``Abs(psi1 - psi2) > 4``); None without a rule."""
    from .data import input_names

    rule = ds.attrs.get("extrapolation")
    if not rule:
        return None
    syms = [sympy.Symbol(n) for n in input_names(ds)]
    fn = sympy.lambdify(syms, sympy.sympify(rule), "numpy")
    return np.broadcast_to(np.asarray(fn(*np.asarray(x).T), dtype=bool), (len(x),)).copy()


def encoded_network_scores(result, doc: dict, ds) -> dict[str, Any]:
    """The encoder model's own scores on the scored split: MSE inside and outside the training
    domain for every trial, latent correlation, and each trial's structure judged in the true
    inputs (its latent read-out, refit like the selected trial when the document was, through its
    own line)."""
    from .data import image_arrays, input_names, split_arrays
    from .evaluate import Groups, _mse, expression_predictions, judge_document
    from .fit.predict import predict

    names = input_names(ds)
    split = ds.attrs.get("score_split", "test")
    x, y, p = split_arrays(ds, split)
    pred = predict(result.model, result.data, image_arrays(ds, split), p, grid=result.architecture.grid)
    outside = extrapolation_mask(ds, x)
    integer = bool(ds.attrs.get("integer_target", False))
    val_x = split_arrays(ds, "val")[0]
    z_val = latents(result, image_arrays(ds, "val"))
    train = Groups(*split_arrays(ds, "train"))
    symbolic = result.architecture.symbolic and ds.attrs.get("true_equation")
    readouts = latent_readouts(result) if symbolic else []   # a ReLU head has no structure to judge
    if doc.get("refit") and any(r is not None for r in readouts):  # judge every trial as the selected one
        z_train = latents(result, image_arrays(ds, "train"))
        readouts = [refit_on_latents(result, r, z_train[k], train.y, train.param) if r is not None else None
                    for k, r in enumerate(readouts)]
    trials = []
    for k in range(result.model.n_trials):
        line = linear_map(z_val[k], val_x)
        row = {"trial": k, "test_mse": _mse(pred[k], y), "latent_correlation": line["correlation"]}
        if integer:
            row["accuracy"] = rounded_accuracy(pred[k], y)
        if outside is not None and outside.any():
            row["extrapolation_mse"] = _mse(pred[k][outside], y[outside])
            row["interpolation_mse"] = _mse(pred[k][~outside], y[~outside])
        r = readouts[k] if readouts else None
        if r is not None:
            tdoc = {"inputs": names, "equations": [{"param": float(v), "expression": str(transform(e, result.data.input_names, names, line))}
                                                   for v, e in zip(r.param_values, r.expressions)]}
            verdict, _ = judge_document(tdoc, ds, train)
            row["structure_correct"] = bool(verdict.correct) if verdict else None
            row["latent_skeleton"] = r.skeleton
        elif readouts:
            row["structure_correct"] = False
        trials.append(row)
    k = doc.get("selected_trial") or 0
    out: dict[str, Any] = {key: trials[k].get(key) for key in
                           ("test_mse", "extrapolation_mse", "interpolation_mse", "latent_correlation",
                            "accuracy")}
    out["trials"] = trials
    out["figure_data"] = figure_data(x, p, pred[k], val_x, z_val[k], ds)
    judged = [t["structure_correct"] for t in trials if t.get("structure_correct") is not None]
    if judged:
        out["success_rate"] = float(np.mean(judged))
    if doc.get("equations") and (integer or (outside is not None and outside.any())):
        exprs = {float(e["param"]): e["expression"] for e in doc["equations"]}
        eq = expression_predictions(exprs, names, Groups(x, y, p))
        if outside is not None and outside.any():
            out["equation_extrapolation_mse"] = _mse(eq[outside], y[outside])
        if integer:
            out["equation_accuracy"] = rounded_accuracy(eq, y)
    return out


def figure_data(x: np.ndarray, p: np.ndarray, pred: np.ndarray, val_x: np.ndarray, z_val: np.ndarray, ds,
                latent_points: int = 600) -> dict[str, Any]:
    """What the report draws for an encoder run (it has the dataset but not the model): the
    selected trial's network predictions on the scored split at the parameter values the report
    shows, and a sample of (true position, latent) pairs from the val split."""
    from .paper_results import shown_values

    values = np.unique(p)
    shown = shown_values(values, ds.attrs.get("system", ""))
    rows = np.flatnonzero(np.isin(p, shown))
    n = min(len(val_x), max(1, latent_points // max(1, val_x.shape[1])))
    return {"rows": rows.tolist(), "prediction": np.asarray(pred)[rows].tolist(),
            "latent_truth": np.asarray(val_x)[:n].ravel().tolist(), "latent": np.asarray(z_val)[:n].ravel().tolist()}


def rounded_accuracy(pred: np.ndarray, y: np.ndarray) -> float | None:
    """Share of samples whose prediction rounds to the (integer) target: the digit-sum accuracy."""
    ok = np.isfinite(pred)
    if not ok.any():
        return None
    return float(np.mean(np.where(ok, np.rint(pred) == np.rint(y), False)))
