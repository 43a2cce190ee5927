"""The ``tabular`` task: a law ``y = f(x; c(t))`` fitted to rows of inputs, target and parameter
(the analytic benchmarks, derived PDE features, a user's table).

Read-out: every trial read out and scored on the ``val`` split, the best selected (ties: fewer
terms), its read-out through the chain. Scores: the equations' errors on the training and scored
splits (raw and in the paper's units), the structure verdict and coefficient errors, and with the
fitted run the network's own predictions and every trial's structure after the same chain.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np
import sympy

from ..evaluate import Groups, expression_predictions, judge_document, mse, paper_units, significant_terms
from ..fit.models import build_network
from ..report.figures import coefficient_figure, latent_figure, prediction_figure
from ..report.page import Section
from ..report.tables import equation_rows
from ..symbolic.chain import apply_chain
from ..symbolic.readout import Readout, format_expr
from ..symbolic.select import group_rows, n_terms, read_out_trials, select, trial_scores
from .base import Task
from .common import (chain_fields, chain_of, document_header, expression_map, grouped_training_data, readout_fields,
                     readout_record, readout_threshold, success_rate, too_dense_note, trial_row)


def equations_document(result, train, val, threshold: float = 0.01, steps: Sequence[str] = ("refit",),
                       provenance: dict | None = None, task: str = "tabular",
                       closed_form_rtol: float = 0.02) -> dict[str, Any]:
    """The ``equations.json`` content of a run on arrays.

    Args:
        result: a :class:`~peql.fit.run.FitResult`.
        train, val: (x, y, param) arrays of the training data and of the validation draw.
        threshold: coefficients below this are dropped (0.01 as the paper).
        steps: the read-out chain of the selected trial (:mod:`peql.symbolic.chain`); a network
            with the parameter as an input (eql) keeps its one global law unrefitted.
    """
    train_mse = trial_scores(result, *train)
    val_mse = trial_scores(result, *val)
    readouts = read_out_trials(result.model, result.data, threshold)
    chosen = select(val_mse, readouts)
    d = result.data
    xs, ys = group_rows(*train, d.param_values)
    chain = () if result.model.param_as_input else steps
    r, record = apply_chain(readouts[chosen], chain, xs, ys, d.input_names, threshold, d.param_name, closed_form_rtol)
    trials = [trial_row(result, k, chosen, train_mse=float(train_mse[k]), val_mse=float(val_mse[k]),
                        skeleton=readouts[k].skeleton if readouts[k] else None,
                        n_terms=None if readouts[k] is None else int(n_terms(readouts[k])))
              for k in range(len(val_mse))]
    doc = document_header(result, task, chosen, provenance, **readout_fields(r),
                          **{"closed_form": {}, **chain_fields(record)}, trials=trials,
                          readout=readout_record(record, threshold), network=readout_fields(readouts[chosen]))
    too_dense_note(doc, r is not None, result.architecture.symbolic)
    if r is not None and result.model.param_as_input:
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


def equation_scores(doc: dict, names: Sequence[str], train: Groups, scored: Groups) -> dict[str, Any]:
    """A law's MSE on the training and scored splits, raw and in the paper's units."""
    out: dict[str, Any] = {}
    if doc.get("equations"):
        exprs = expression_map(doc)
        for label, g in (("train", train), ("test", scored)):
            pred = expression_predictions(exprs, names, g)
            out[f"{label}_mse"] = mse(pred, g.y)
            out[f"{label}_mse_paper_units"] = paper_units(pred, g.y, g.param, train)
    return out


def law_verdict(doc: dict, ds, names, train: Groups, scored: Groups, prefix: str = "") -> dict[str, Any]:
    """A law's errors (keys ``{prefix}test_mse``, ...), structure verdict (DESIGN 6b) and
    coefficient errors with ``n_compared``."""
    errors = equation_scores(doc, names, train, scored)
    out = {"skeleton": doc.get("skeleton"), **{prefix + k: v for k, v in errors.items()}}
    verdict, coef = judge_document({"inputs": names, **doc}, ds, train)
    if verdict is not None:
        out.update({"structure_correct": verdict.correct, "structure": verdict.to_dict(),
                    "n_significant_terms": verdict.n_significant, **coef})
    return out


def network_scores(result, doc, ds, train: Groups, scored: Groups, names) -> tuple[dict, dict]:
    """The network's own predictions (deterministic gates) and every trial's structure, judged
    from its network read-out and after the document's read-out chain; returns the network's
    scores and the refined ones (success rate)."""
    from ..fit.predict import predict

    grid = result.architecture.grid
    pred_test = predict(result.model, result.data, scored.x, scored.param, grid=grid)
    pred_train = predict(result.model, result.data, train.x, train.param, grid=grid)
    k = doc.get("selected_trial") or 0
    network: dict[str, Any] = {
        "test_mse": mse(pred_test[k], scored.y), "train_mse": mse(pred_train[k], train.y),
        "test_mse_paper_units": paper_units(pred_test[k], scored.y, scored.param, train),
        "train_mse_paper_units": paper_units(pred_train[k], train.y, train.param, train),
    }
    judged = result.architecture.symbolic and ds.attrs.get("true_equation")
    raw = read_out_trials(result.model, result.data, readout_threshold(doc)) if judged else []
    refined = _refined_trials(raw, doc, result, train, names)
    trials = []
    for t in range(result.model.n_trials):
        row = {"trial": t, "test_mse": mse(pred_test[t], scored.y),
               "test_mse_paper_units": paper_units(pred_test[t], scored.y, scored.param, train)}
        if raw:
            row.update(_judged_trial(raw[t], ds, train, names, "network"))
            row.update(_judged_trial(refined[t], ds, train, names, "refined"))
        trials.append(row)
    finite = [r["test_mse_paper_units"] for r in trials if r["test_mse_paper_units"] is not None]
    if finite:
        network["test_mse_paper_units_mean"] = float(np.mean(finite))
        network["test_mse_paper_units_std"] = float(np.std(finite))
    return ({**network, "success_rate": success_rate(trials, "structure_correct_network"), "trials": trials},
            {"success_rate": success_rate(trials, "structure_correct_refined")})


def _refined_trials(raw, doc, result, train: Groups, names) -> list:
    """Every trial's read-out through the document's chain (without the closed forms, which do
    not change a law)."""
    if not any(r is not None for r in raw):
        return raw
    xs, ys = group_rows(train.x, train.y, train.param, result.data.param_values)
    steps = [s for s in chain_of(doc) if s != "closed_form"] if not result.model.param_as_input else []
    return [apply_chain(r, steps, xs, ys, names, readout_threshold(doc))[0] for r in raw]


def _judged_trial(r: Readout | None, ds, train: Groups, names, label: str) -> dict[str, Any]:
    if r is None:
        return {f"structure_correct_{label}": False}
    verdict, _ = judge_document({"inputs": names, **readout_fields(r)}, ds, train)
    return {f"structure_correct_{label}": bool(verdict.correct) if verdict else None, f"skeleton_{label}": r.skeleton}


def law_scores(doc, ds, result, names, train: Groups, scored: Groups, score_split: str) -> dict[str, Any]:
    """Scores of a document's laws on rows of a dataset, labelled (DESIGN 6b):

    ``refined``: the document's equations (after its read-out chain; a baseline's own fit): their
    errors (``test_mse`` on the scored split, ``train_mse``, in raw and paper units), structure
    verdict, coefficient errors with ``n_compared``, and the success rate over trials.
    ``network``: the selected network's own read-out (gates and threshold, no chain): its law's
    errors (``law_test_mse``, ...) and verdict; with the fitted ``result`` also the network's
    predictions (``test_mse``, ...), every trial's verdicts and the success rate."""
    scores: dict[str, Any] = {"method": doc.get("architecture"), "system": ds.attrs.get("system"),
                              "score_split": score_split, "skeleton": doc.get("skeleton"),
                              "selected_trial": doc.get("selected_trial"), "wall_time_s": doc.get("wall_time_s"),
                              "readout": doc.get("readout") or {"steps": list(chain_of(doc))}}
    refined = law_verdict(doc, ds, names, train, scored)
    if doc.get("expression_in_param"):  # eql: count the terms of its one law in (inputs, parameter)
        X = np.column_stack([train.x, train.param])
        ref = float(np.sqrt(np.mean(train.y**2)))
        refined["n_terms_with_param"] = len(significant_terms(doc["expression_in_param"], X,
                                                              [*names, ds.attrs.get("param_name", "t")], ref))
    network = law_verdict(doc["network"], ds, names, train, scored, "law_") if doc.get("network") else {}
    if result is not None:
        net, ref_rate = network_scores(result, doc, ds, train, scored, names)
        network.update(net)
        refined.update(ref_rate)
    scores["refined"] = refined
    if network:
        scores["network"] = network
    return scores


class TabularTask(Task):
    name = "tabular"
    kinds = ("tabular",)
    description = "a law y = f(x; c(t)) fitted to rows of inputs, target and parameter"

    def training_data(self, ds, settings):
        from ..data import input_names, split_arrays

        x, y, p = split_arrays(ds, "train")
        return grouped_training_data(x, y, p, input_names(ds), ds, settings, build_network)

    def read_out(self, result, ds, threshold, steps, provenance):
        from ..data import split_arrays

        train, val = split_arrays(ds, "train"), split_arrays(ds, "val")
        if len(val[0]) == 0:
            raise ValueError("the dataset has no 'val' split to select a trial on")
        return equations_document(result, train, val, threshold, steps, provenance, self.name)

    def score(self, doc, ds, result=None):
        from ..data import input_names, split_arrays

        names = input_names(ds)
        train = Groups(*split_arrays(ds, "train"))
        score_split = ds.attrs.get("score_split", "test")
        scored = Groups(*split_arrays(ds, score_split))
        return law_scores(doc, ds, result, names, train, scored, score_split)

    def report(self, name, ds, docs, scores, figures: Path):
        pics = [prediction_figure(ds, docs, figures / f"{name}__predictions.png", scores),
                coefficient_figure(ds, scores, figures / f"{name}__coefficients.png"),
                latent_figure(ds, scores, figures / f"{name}__latents.png")]
        return Section(name, str(ds.attrs.get("system", "")), str(ds.attrs.get("true_equation", "")),
                       [p for p in pics if p], [], equation_rows(ds, docs))


TABULAR = TabularTask()
__all__ = ["TABULAR", "TabularTask", "equations_document", "equation_scores", "network_scores"]
