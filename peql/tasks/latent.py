"""The ``latent`` task: images through an encoder into a head (the parametric paper's section
IV-C, and the digit sums of the earlier paper).

The head's equation is read out in latent space (``z1, z2, ...``) exactly as any model's, and its
selected trial goes through the read-out chain on the training images' latents. The latent is
then mapped back to the quantity it encodes: a line ``z = slope * psi + intercept`` fitted on the
``val`` images (one line shared by every slot, since the encoder is shared), whose quality is the
correlation of latent and truth. Substituting the line into the latent equation gives the
equation in the true inputs (the paper's "learned transformed" column), which is judged by the
project's one structure rule and scored like any other equation. The intercept is kept in the
substitution (the paper drops it; for laws in differences it cancels either way).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..evaluate import Groups, expression_predictions, judge_document, mse
from ..fit.models import build_encoded
from ..fit.predict import predict
from ..nn.encoded import latent_names
from ..report.figures import coefficient_figure, latent_figure, prediction_figure
from ..report.page import Section
from ..report.paper import shown_values
from ..report.tables import equation_rows
from ..symbolic.chain import apply_chain
from ..symbolic.latent_map import linear_map, transform
from ..symbolic.magnitude import Scale
from ..symbolic.readout import format_expr
from ..symbolic.select import group_rows, n_terms, read_out_trials, select, trial_scores
from .base import Task
from .common import (chain_fields, chain_of, document_header, expression_map, grouped_training_data, readout_record,
                     readout_threshold, success_rate, too_dense_note, trial_row)
from .tabular import TabularTask


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


def chained(result, r, steps, z_train: np.ndarray, y: np.ndarray, param: np.ndarray, threshold: float = 0.01):
    """A trial's latent read-out through the read-out chain on the training images' latents
    ``z_train`` (n, slots)."""
    d = result.data
    if r is None:
        return apply_chain(None, steps, [], [], d.input_names, threshold, d.param_name)
    zs, ys = group_rows(z_train, y, param, d.param_values)
    return apply_chain(r, steps, zs, ys, d.input_names, threshold, d.param_name)


def in_true_inputs(r, line: dict, names, latent: list, x_train: np.ndarray, threshold: float = 0.01) -> list[dict]:
    """The read-out's equations in the true inputs, through the latent-to-truth ``line``; terms
    are thresholded over the true inputs' training box relative to the target's range."""
    box = {n: float(np.max(np.abs(x_train[:, i]))) for i, n in enumerate(names)}
    target = r.scale.target if r.scale is not None else np.ones(len(r.param_values))
    return [{"param": float(p), "expression": format_expr(transform(e, latent, names, line, threshold,
                                                                    Scale(box, target[k:k + 1])))}
            for k, (p, e) in enumerate(zip(r.param_values, r.expressions))]


class LatentTask(Task):
    name = "latent"
    kinds = ("images",)
    description = "images through an encoder into a head, read out in latent space and mapped back"

    def training_data(self, ds, settings):
        from ..data import image_arrays, split_arrays

        _, y, p = split_arrays(ds, "train")
        x = image_arrays(ds, "train")
        return grouped_training_data(x, y, p, latent_names(x.shape[1]), ds, settings, build_encoded)

    def read_out(self, result, ds, threshold, steps, provenance):
        from ..data import image_arrays, input_names, split_arrays

        names, d = input_names(ds), result.data
        train, val = split_arrays(ds, "train"), split_arrays(ds, "val")
        img_train, img_val = image_arrays(ds, "train"), image_arrays(ds, "val")
        train_mse = trial_scores(result, img_train, train[1], train[2])
        val_mse = trial_scores(result, img_val, val[1], val[2])
        z_val = latents(result, img_val)
        lines = [linear_map(z_val[k], val[0]) for k in range(result.model.n_trials)]
        readouts = read_out_trials(result.model.head, d, threshold)
        chosen = select(val_mse, readouts)
        line = lines[chosen]
        z_train = latents(result, img_train)[chosen] if readouts[chosen] is not None else None
        r, record = chained(result, readouts[chosen], steps, z_train, train[1], train[2], threshold)
        trials = [trial_row(result, k, chosen, train_mse=float(train_mse[k]), val_mse=float(val_mse[k]),
                            latent_skeleton=readouts[k].skeleton if readouts[k] else None,
                            n_terms=None if readouts[k] is None else int(n_terms(readouts[k])),
                            latent_correlation=lines[k]["correlation"]) for k in range(len(val_mse))]
        doc = document_header(result, self.name, chosen, provenance, inputs=names, encoder=result.settings.encoder,
                              skeleton=r.skeleton if r else None, skeleton_inputs=list(d.input_names),
                              equations=[], coefficients={}, **{"closed_form": {}, **chain_fields(record)},
                              latent={"inputs": list(d.input_names), "map": line, "map_fitted_on": "val"},
                              trials=trials, readout=readout_record(record, threshold))
        raw = readouts[chosen]
        doc["network"] = {"skeleton": raw.skeleton if raw else None,
                          "equations": in_true_inputs(raw, line, names, d.input_names, train[0], threshold) if raw
                          else []}
        if r is not None:
            doc["latent"]["equations"] = [{"param": float(p), "expression": e}
                                          for p, e in zip(r.param_values, r.expression_strings())]
            doc["latent"]["coefficients"] = {"param": r.param_values.tolist(),
                                             **{k: v.tolist() for k, v in r.coefficients.items()}}
            doc["equations"] = in_true_inputs(r, line, names, d.input_names, train[0], threshold)
        return too_dense_note(doc, r is not None, result.architecture.symbolic)

    def score(self, doc, ds, result=None):
        scores = TabularTask().score(doc, ds, None)   # the laws, in the true inputs, as any table's
        if result is not None:
            network, refined, common = network_scores(result, doc, ds)
            scores.setdefault("network", {}).update(network)
            scores["refined"].update(refined)
            scores.update(common)
        return scores

    def report(self, name, ds, docs, scores, figures: Path):
        pics = [prediction_figure(ds, docs, figures / f"{name}__predictions.png", scores),
                coefficient_figure(ds, scores, figures / f"{name}__coefficients.png"),
                latent_figure(ds, scores, figures / f"{name}__latents.png")]
        return Section(name, str(ds.attrs.get("system", "")), str(ds.attrs.get("true_equation", "")),
                       [p for p in pics if p], [], equation_rows(ds, docs))


def _trial_row(k, pred, y, outside, integer: bool, line: dict) -> dict[str, Any]:
    row = {"trial": k, "test_mse": mse(pred[k], y), "latent_correlation": line["correlation"]}
    if integer:
        row["accuracy"] = rounded_accuracy(pred[k], y)
    if outside is not None and outside.any():
        row["extrapolation_mse"] = mse(pred[k][outside], y[outside])
        row["interpolation_mse"] = mse(pred[k][~outside], y[~outside])
    return row


def _judged(r, label: str, ds, train: Groups, names, latent, line) -> dict[str, Any]:
    if r is None:
        return {f"structure_correct_{label}": False}
    tdoc = {"inputs": names, "equations": [{"param": float(v), "expression": str(transform(e, latent, names, line))}
                                           for v, e in zip(r.param_values, r.expressions)]}
    verdict, _ = judge_document(tdoc, ds, train)
    return {f"structure_correct_{label}": bool(verdict.correct) if verdict else None,
            f"latent_skeleton_{label}": r.skeleton}


def network_scores(result, doc: dict, ds) -> tuple[dict, dict, dict]:
    """The encoder model's own scores on the scored split: MSE inside and outside the training
    domain for every trial, latent correlation, and each trial's structure judged in the true
    inputs through its own line, from its network read-out and after the document's chain.
    Returns the network's scores, the refined ones and those of neither (latent, figure data)."""
    from ..data import extrapolation_mask, image_arrays, input_names, split_arrays

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
    raw = read_out_trials(result.model.head, result.data, readout_threshold(doc)) if symbolic else []
    refined = raw
    if any(r is not None for r in raw):   # a ReLU head has no structure to judge
        z_train = latents(result, image_arrays(ds, "train"))
        steps = [s for s in chain_of(doc) if s != "closed_form"]
        refined = [chained(result, r, steps, z_train[k], train.y, train.param, readout_threshold(doc))[0]
                   if r is not None else None for k, r in enumerate(raw)]
    trials = []
    for k in range(result.model.n_trials):
        line = linear_map(z_val[k], val_x)
        row = _trial_row(k, pred, y, outside, integer, line)
        if raw:
            row.update(_judged(raw[k], "network", ds, train, names, result.data.input_names, line))
            row.update(_judged(refined[k], "refined", ds, train, names, result.data.input_names, line))
        trials.append(row)
    k = doc.get("selected_trial") or 0
    network: dict[str, Any] = {key: trials[k].get(key) for key in
                               ("test_mse", "extrapolation_mse", "interpolation_mse", "accuracy")}
    network.update(trials=trials, success_rate=success_rate(trials, "structure_correct_network"))
    refined_scores: dict[str, Any] = {"success_rate": success_rate(trials, "structure_correct_refined")}
    if doc.get("equations") and (integer or (outside is not None and outside.any())):
        eq = expression_predictions(expression_map(doc), names, Groups(x, y, p))
        if outside is not None and outside.any():
            refined_scores["extrapolation_mse"] = mse(eq[outside], y[outside])
        if integer:
            refined_scores["accuracy"] = rounded_accuracy(eq, y)
    common = {"latent_correlation": trials[k]["latent_correlation"],
              "figure_data": figure_data(x, p, pred[k], val_x, z_val[k], ds)}
    return network, refined_scores, common


def figure_data(x: np.ndarray, p: np.ndarray, pred: np.ndarray, val_x: np.ndarray, z_val: np.ndarray, ds,
                latent_points: int = 600) -> dict[str, Any]:
    """What the report draws for an encoder run (it has the dataset but not the model): the
    selected trial's network predictions on the scored split at the parameter values the report
    shows, and a sample of (true position, latent) pairs from the val split."""
    shown = shown_values(np.unique(p), ds.attrs.get("system", ""))
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


LATENT = LatentTask()
