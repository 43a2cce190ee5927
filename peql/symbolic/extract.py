"""From a trained batch of trials to ``equations.json`` (DESIGN section 6): score every trial
on a validation draw, select one, read it out."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np
import sympy

from ..fit.predict import normalise_target, predict
from .readout import Readout, ReadoutTooComplex, format_expr, read_out
from .refit import refit_readout

TIE_TOLERANCE = 1.1  # validation errors within 10 % of the best count as a tie


def trial_scores(result, x: np.ndarray, y: np.ndarray, param: np.ndarray) -> np.ndarray:
    """Per-trial MSE in the network's (normalised) target units, deterministic gates."""
    pred = predict(result.model, result.data, x, param, grid=result.architecture.grid, normalised=True)
    target = normalise_target(result.data, y, param)
    with np.errstate(all="ignore"):
        mse = np.mean((pred - target[None, :]) ** 2, axis=1)
    return np.where(np.isfinite(mse), mse, np.inf)


def readout_all(result, threshold: float = 0.01) -> list[Readout | None]:
    """Read out every trial (None where a trial is too dense to read out)."""
    if not result.architecture.symbolic:
        return [None] * result.model.n_trials
    d = result.data
    outs = []
    for k in range(result.model.n_trials):
        try:
            outs.append(read_out(result.model, k, d.scaling, d.param_values, d.t.cpu().numpy(), threshold))
        except ReadoutTooComplex:
            outs.append(None)
    return outs


def n_terms(r: Readout | None) -> float:
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


def equations_document(result, train, val, threshold: float = 0.01, refit: bool = True,
                       provenance: dict | None = None) -> dict[str, Any]:
    """The ``equations.json`` content.

    Args:
        result: a :class:`~peql.fit.run.FitResult`.
        train, val: (x, y, param) arrays of the training data and of the validation draw.
        threshold: coefficients below this are dropped (0.01 as the paper).
        refit: least-squares refit of the selected structure's coefficients per parameter value
            (seql / heql; the eql baseline keeps its single global expression).
    """
    train_mse = trial_scores(result, *train)
    val_mse = trial_scores(result, *val)
    readouts = readout_all(result, threshold)
    chosen = select(val_mse, readouts)
    r = readouts[chosen]
    d = result.data
    refitted = bool(refit and r is not None and not getattr(result.model, "param_as_input", False))
    if refitted:
        xs, ys = group_rows(*train, d.param_values)
        r = refit_readout(r, xs, ys, d.input_names, threshold)
    trials = [{"trial": k, "train_mse": float(train_mse[k]), "val_mse": float(val_mse[k]),
               "skeleton": readouts[k].skeleton if readouts[k] else None,
               "n_terms": None if readouts[k] is None else int(n_terms(readouts[k])),
               "restarts": int(result.restarts[k]) if result.restarts else 0,
               "selected": k == chosen} for k in range(len(val_mse))]
    doc = {
        "parameter": d.param_name,
        "inputs": list(d.input_names),
        "architecture": result.settings.architecture,
        "selected_trial": int(chosen),
        "skeleton": r.skeleton if r else None,
        "equations": ([{"param": float(p), "expression": e} for p, e in zip(r.param_values, r.expression_strings())]
                      if r else []),
        "coefficients": ({"param": r.param_values.tolist(), **{k: v.tolist() for k, v in r.coefficients.items()}}
                         if r else {}),
        "closed_form": {},
        "refit": refitted,
        "trials": trials,
        "settings": result.settings.to_dict(),
        "scaling": d.scaling.to_dict(),
        "provenance": provenance or {},
    }
    if r is None and result.architecture.symbolic:
        doc["note"] = "the selected trial has too many live weights to read out"
    if r is not None and getattr(result.model, "param_as_input", False):
        doc["expression_in_param"] = global_expression(r)
    return doc


def global_expression(r: Readout) -> str | None:
    """The single law in the inputs and the parameter of a network that takes the parameter as
    an input (eql), when its coefficients do not vary with the parameter (no per-value target
    normalisation)."""
    if any(np.ptp(v) > 1e-9 * max(1.0, float(np.max(np.abs(v)))) for v in r.coefficients.values()):
        return None
    subs = {sympy.Symbol(k): sympy.Float(float(v[0])) for k, v in r.coefficients.items()}
    return format_expr(sympy.sympify(r.skeleton).xreplace(subs))


def check_threshold(threshold: float, name: str = "threshold") -> float:
    """A read-out threshold must be a number >= 0 (0 keeps every coefficient)."""
    try:
        value = float(threshold)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number >= 0, got {threshold!r}") from None
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a number >= 0 (0 keeps every coefficient), got {threshold!r}")
    return value


def check_extract_output(out_dir, inputs=()) -> Path:
    """The folder ``extract`` writes ``equations.json`` and ``coefficients.zarr`` into, checked
    before any work: each of the two is replaced only when peql wrote it."""
    from ..results import FILE, FOLDER, check_output, is_peql_coefficients, is_peql_json

    out = check_output(out_dir, FOLDER, inputs=inputs, owned=lambda p: True, what="equations.json, coefficients.zarr")
    check_output(out / "equations.json", FILE, inputs=inputs, owned=is_peql_json, what="an equations document")
    check_output(out / "coefficients.zarr", FOLDER, inputs=inputs, owned=is_peql_coefficients,
                 what="a coefficients store")
    return out


def extract_run(run_dir, dataset, out_dir, threshold: float = 0.01, refit: bool = True, registry=None) -> dict:
    """Select a trial on the dataset's ``val`` split, read it out, write ``equations.json`` and
    ``coefficients.zarr`` into ``out_dir``; returns the document."""
    from ..data import dataset_fingerprint, read_dataset, split_arrays
    from ..fit.run import load_run
    from ..dynamics import dynamics_document, is_dynamics
    from ..latent import encoded_document, is_encoded
    from ..plugins import fingerprint
    from ..results import write_coefficients, write_json

    threshold = check_threshold(threshold)
    out = check_extract_output(out_dir, [run_dir, None if hasattr(dataset, "attrs") else dataset])
    ds = read_dataset(dataset) if not hasattr(dataset, "attrs") else dataset
    result = load_run(run_dir, ds, registry)
    if not is_dynamics(ds):
        train, val = split_arrays(ds, "train"), split_arrays(ds, "val")
        if len(val[0]) == 0:
            raise ValueError("the dataset has no 'val' split to select a trial on")
    reg = registry
    if reg is None:
        from ..plugins import get_registry

        reg = get_registry()
    from ..nn.spec import NetworkSpec

    prims = [("primitives", u.name) for u in NetworkSpec.from_dict(result.settings.network).units]
    provenance = {"dataset": str(dataset) if not hasattr(dataset, "attrs") else ds.attrs.get("system"),
                  "system": ds.attrs.get("system"), "data_fingerprint": dataset_fingerprint(ds),
                  "run_dir": str(run_dir),
                  "fingerprint": fingerprint(reg, [("architectures", result.settings.architecture), *prims,
                                                   *([("encoders", result.settings.encoder)] if result.settings.encoder else [])])}
    if is_dynamics(ds):
        doc = dynamics_document(result, ds, threshold, refit, provenance)
    elif is_encoded(result):
        doc = encoded_document(result, ds, threshold, refit, provenance)
    else:
        doc = equations_document(result, train, val, threshold, refit, provenance)
    doc["wall_time_s"] = float(result.wall_time)
    out.mkdir(parents=True, exist_ok=True)
    write_coefficients(doc, out / "coefficients.zarr")
    write_json(doc, out / "equations.json", "equations")
    return doc
