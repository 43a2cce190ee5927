"""Scores against the truth. The structure rule of DESIGN section 6b lives in
:mod:`peql.symbolic.structure` and is re-exported here; tests, tables and reports all use it.

``evaluate`` scores an ``equations.json`` (from extract or any baseline) on a dataset: prediction
MSE of the equations on the training and scored splits (raw units, and the paper's units: target
min-max normalised per parameter value with the training min and range), the structure verdict,
coefficient MSE and relative L1 error against ``true_coef``; given the fitted run, also the
network's own predictions and the success rate over all trials.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np
import sympy

from .symbolic.shapes import decompose, term_shape
from .symbolic.structure import StructureVerdict, count_significant, judge_structure, reference_rms, significant_terms
from .symbolic.truth import coefficient_errors, coefficient_estimates, true_expressions

__all__ = [
    "StructureVerdict", "coefficient_errors", "coefficient_estimates", "count_significant", "decompose",
    "evaluate", "evaluate_files", "judge_structure", "reference_rms", "significant_terms", "term_shape",
    "true_expressions",
]


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
        return [self.x[r] for r in self.rows]

    def ys(self) -> list[np.ndarray]:
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


def _mse(pred: np.ndarray, y: np.ndarray) -> float | None:
    ok = np.isfinite(pred)
    return float(np.mean((pred[ok] - y[ok]) ** 2)) if ok.any() and ok.mean() > 0.99 else None


def _paper_units(pred, y, param, train_groups: Groups) -> float | None:
    lo, rng = _minmax(train_groups)
    idx = np.clip(np.searchsorted(train_groups.values, param), 0, len(train_groups.values) - 1)
    return _mse((pred - lo[idx]) / rng[idx], (y - lo[idx]) / rng[idx])


def judge_document(doc: dict, ds, train: Groups) -> tuple[StructureVerdict | None, dict]:
    """Structure verdict and coefficient errors of an equations document against the truth."""
    from .data import true_coefficients

    if not doc.get("equations") or not ds.attrs.get("true_equation"):
        return None, {}
    exprs = {float(e["param"]): e["expression"] for e in doc["equations"]}
    keys = np.array(sorted(exprs))
    values, coef = true_coefficients(ds)
    if len(values) == 0:  # no parameter: one true expression with explicit numbers
        values, coef = train.values, {}
    truth = true_expressions(ds.attrs["true_equation"], ds.attrs.get("param_name", "t"), values, coef)
    learned = []
    for v in train.values:
        k = int(np.argmin(np.abs(keys - v)))
        learned.append(exprs[float(keys[k])] if abs(keys[k] - v) <= 1e-9 * max(1.0, abs(v)) else "0")
    names = doc["inputs"]
    truth_at = [truth[int(np.argmin(np.abs(values - v)))] for v in train.values]
    verdict = judge_structure(learned, truth_at, train.xs(), train.ys(), names)
    if not coef:
        return verdict, {}
    coef_at = {n: np.asarray(c)[[int(np.argmin(np.abs(values - v))) for v in train.values]] for n, c in coef.items()}
    est = coefficient_estimates(verdict.learned_terms, ds.attrs["true_equation"], ds.attrs.get("param_name", "t"),
                                train.values, coef_at, verdict.per_param_correct)
    return verdict, {**coefficient_errors(est, coef_at), "estimates": {k: v.tolist() for k, v in est.items()}}


def evaluate(doc: dict, ds, result=None) -> dict[str, Any]:
    """Scores of one method on one dataset (see the module docstring)."""
    from .data import input_names, split_arrays
    from .dynamics import dynamics_scores, is_dynamics

    if is_dynamics(ds):
        if result is None:
            raise ValueError("scoring a recurrent cell needs its run directory (its rollouts are the network's)")
        return {"method": doc.get("architecture"), "system": ds.attrs.get("system"),
                "score_split": ds.attrs.get("score_split", "test"), "selected_trial": doc.get("selected_trial"),
                "wall_time_s": doc.get("wall_time_s"), **dynamics_scores(doc, ds, result)}

    names = input_names(ds)
    train = Groups(*split_arrays(ds, "train"))
    score_split = ds.attrs.get("score_split", "test")
    scored = Groups(*split_arrays(ds, score_split))
    scores: dict[str, Any] = {"method": doc.get("architecture"), "system": ds.attrs.get("system"),
                              "score_split": score_split, "skeleton": doc.get("skeleton"),
                              "selected_trial": doc.get("selected_trial"), "wall_time_s": doc.get("wall_time_s")}
    if doc.get("equations"):
        exprs = {float(e["param"]): e["expression"] for e in doc["equations"]}
        for label, g in (("train", train), ("test", scored)):
            pred = expression_predictions(exprs, names, g)
            scores[f"equation_{label}_mse"] = _mse(pred, g.y)
            scores[f"equation_{label}_mse_paper_units"] = _paper_units(pred, g.y, g.param, train)
    if doc.get("expression_in_param"):  # eql: count the terms of its one law in (inputs, parameter)
        pname = ds.attrs.get("param_name", "t")
        X = np.column_stack([train.x, train.param])
        ref = float(np.sqrt(np.mean(train.y**2)))
        scores["n_terms_with_param"] = len(significant_terms(doc["expression_in_param"], X, [*names, pname], ref))
    verdict, coef = judge_document(doc, ds, train)
    if verdict is not None:
        scores.update({"structure_correct": verdict.correct, "structure": verdict.to_dict(),
                       "n_significant_terms": verdict.n_significant})
        scores.update({k: v for k, v in coef.items()})
    if result is not None:
        from .latent import encoded_network_scores, is_encoded

        if is_encoded(result):
            scores.update(encoded_network_scores(result, doc, ds))
        else:
            scores.update(_network_scores(result, doc, ds, train, scored, names))
    scores.setdefault("test_mse", scores.get("equation_test_mse"))
    scores.setdefault("test_mse_paper_units", scores.get("equation_test_mse_paper_units"))
    return scores


def _network_scores(result, doc, ds, train: Groups, scored: Groups, names) -> dict[str, Any]:
    """The network's own predictions (deterministic gates) and every trial's structure."""
    from .fit.predict import predict
    from .symbolic.extract import group_rows, readout_all
    from .symbolic.refit import refit_readout

    grid = result.architecture.grid
    pred_test = predict(result.model, result.data, scored.x, scored.param, grid=grid)
    pred_train = predict(result.model, result.data, train.x, train.param, grid=grid)
    k = doc.get("selected_trial") or 0
    out: dict[str, Any] = {
        "test_mse": _mse(pred_test[k], scored.y),
        "train_mse": _mse(pred_train[k], train.y),
        "test_mse_paper_units": _paper_units(pred_test[k], scored.y, scored.param, train),
        "train_mse_paper_units": _paper_units(pred_train[k], train.y, train.param, train),
    }
    trials = []
    readouts = readout_all(result) if result.architecture.symbolic and ds.attrs.get("true_equation") else []
    if readouts and doc.get("refit"):  # judge every trial the way the selected one was read out
        xs, ys = group_rows(train.x, train.y, train.param, result.data.param_values)
        readouts = [refit_readout(r, xs, ys, names) if r is not None else None for r in readouts]
    for t in range(result.model.n_trials):
        row = {"trial": t, "test_mse": _mse(pred_test[t], scored.y),
               "test_mse_paper_units": _paper_units(pred_test[t], scored.y, scored.param, train)}
        if readouts:
            r = readouts[t]
            if r is None:
                row["structure_correct"] = False
            else:
                tdoc = {"inputs": names, "equations": [{"param": float(p), "expression": str(e)}
                                                        for p, e in zip(r.param_values, r.expressions)]}
                verdict, _ = judge_document(tdoc, ds, train)
                row["structure_correct"] = bool(verdict.correct) if verdict else None
                row["skeleton"] = r.skeleton
        trials.append(row)
    out["trials"] = trials
    judged = [r["structure_correct"] for r in trials if r.get("structure_correct") is not None]
    if judged:
        out["success_rate"] = float(np.mean(judged))
    finite = [r["test_mse_paper_units"] for r in trials if r["test_mse_paper_units"] is not None]
    if finite:
        out["test_mse_paper_units_mean"], out["test_mse_paper_units_std"] = float(np.mean(finite)), float(np.std(finite))
    return out


def equations_path(path) -> Path:
    """The equations document named by ``path``: the file itself, or ``equations.json`` inside a
    results folder (what ``peql extract``, ``peql baseline`` and ``peql discover`` write)."""
    p = Path(path)
    if p.is_dir():
        inner = p / "equations.json"
        if not inner.is_file():
            raise FileNotFoundError(f"{p} is a folder without an equations.json; give the equations file or the "
                                    "folder that peql extract / peql baseline wrote")
        return inner
    return p


def check_same_data(doc: dict, ds, equations: str) -> None:
    """Refuse to score equations against data other than those they were read out from: the data
    fingerprint the document records, or (older documents) its system name."""
    from .data import dataset_fingerprint

    prov = doc.get("provenance") or {}
    system = ds.attrs.get("system")
    recorded = prov.get("data_fingerprint")
    if recorded is not None:
        actual = dataset_fingerprint(ds)
        if recorded != actual:
            raise ValueError(f"{equations} was read out from other data (system {prov.get('system')!r}, fingerprint "
                             f"{recorded}) than the dataset given (system {system!r}, fingerprint {actual}); pass "
                             "--force to score it against these data anyway")
    elif prov.get("system") and system and prov["system"] != system:
        raise ValueError(f"{equations} was read out from system {prov['system']!r}, but the dataset given is "
                         f"{system!r}; pass --force to score it against these data anyway")


def evaluate_files(equations_file, dataset_path, output_path, run_dir=None, registry=None,
                   force: bool = False) -> dict[str, Any]:
    """``peql evaluate``: read, check, score, write the scores JSON atomically.

    Args:
        equations_file: an equations document, or the folder holding ``equations.json``.
        force: score even when the document records other data than ``dataset_path``.
    """
    from .data import read_dataset
    from .results import FILE, check_output, is_peql_json, read_json, write_json

    path = equations_path(equations_file)
    check_output(output_path, FILE, inputs=[path, dataset_path, run_dir], owned=is_peql_json, what="a scores document")
    doc = read_json(path, "equations document")
    ds = read_dataset(dataset_path)
    if not force:
        check_same_data(doc, ds, str(path))
    result = None
    if run_dir is not None:
        from .fit.run import load_run

        result = load_run(run_dir, ds, registry)
    scores = evaluate(doc, ds, result)
    scores["equations_path"] = str(path)
    write_json(scores, output_path, "scores")
    return scores
