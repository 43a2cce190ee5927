"""Pieces every kind of experiment's read-out and scores share: the document header, a trial's
row, a read-out's equations and coefficient curves as document fields, the success rate over
trials and the ``{parameter value: expression}`` map of a document."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..symbolic.chain import ChainRecord
from ..symbolic.readout import Readout


def document_header(result, task: str, selected: int, provenance: dict | None, inputs=None,
                    **fields) -> dict[str, Any]:
    """The keys every network's ``equations.json`` holds; ``inputs`` defaults to the network's
    input names, ``fields`` are the task's own keys."""
    return {"parameter": result.data.param_name,
            "inputs": list(result.data.input_names if inputs is None else inputs),
            "architecture": result.settings.architecture, "task": task, "selected_trial": int(selected),
            **fields, "settings": result.settings.to_dict(), "scaling": result.data.scaling.to_dict(),
            "provenance": provenance or {}}


def trial_row(result, k: int, selected: int, **fields) -> dict[str, Any]:
    """One trial's row of the document's ``trials`` list."""
    return {"trial": k, **fields, "restarts": int(result.restarts[k]) if result.restarts else 0,
            "selected": k == selected}


def readout_fields(r: Readout | None) -> dict[str, Any]:
    """``skeleton``, ``equations`` (one expression per parameter value) and ``coefficients`` (the
    curves) of a read-out, as the document holds them."""
    if r is None:
        return {"skeleton": None, "equations": [], "coefficients": {}}
    return {"skeleton": r.skeleton,
            "equations": [{"param": float(p), "expression": e} for p, e in zip(r.param_values, r.expression_strings())],
            "coefficients": {"param": r.param_values.tolist(), **{k: np.asarray(v).tolist()
                                                                 for k, v in r.coefficients.items()}}}


def chain_fields(record: ChainRecord) -> dict[str, Any]:
    """What the read-out chain adds to a document besides the read-out: ``refit`` always, the
    pruned and merged terms and the closed forms when those steps ran."""
    out: dict[str, Any] = {"refit": record.refitted}
    if "prune" in record.steps:
        out["pruned_terms"] = record.pruned_terms or []
    if "merge" in record.steps:
        out["merged_terms"] = record.merged_terms or []
    if "support" in record.steps:
        out["support_terms"] = record.support or {"added": [], "dropped": []}
    out.update(record.closed_forms)
    return out


def readout_record(record: ChainRecord, threshold: float) -> dict[str, Any]:
    """What an equations document records of its read-out: the chain's steps and the threshold."""
    return {"steps": list(record.steps), "threshold": float(threshold)}


def chain_of(doc: dict) -> tuple[str, ...]:
    """The read-out chain a document's selected trial went through (every trial is judged after
    the same one); a document from before the chain was recorded: the refit alone, or nothing."""
    recorded = (doc.get("readout") or {}).get("steps")
    if recorded is not None:
        return tuple(recorded)
    return ("refit",) if doc.get("refit") else ()


def readout_threshold(doc: dict) -> float:
    """The read-out threshold a document was written with (0.01 before it was recorded)."""
    return float((doc.get("readout") or {}).get("threshold", 0.01))


def success_rate(trials: Iterable[dict], key: str = "structure_correct") -> float | None:
    """The share of trials whose ``key`` is true, over those judged (None: none judged)."""
    judged = [t[key] for t in trials if t.get(key) is not None]
    return float(np.mean(judged)) if judged else None


def expression_map(doc: dict) -> dict[float, str]:
    """``{parameter value: expression}`` of a document's equations."""
    return {float(e["param"]): e["expression"] for e in doc.get("equations") or []}


def too_dense_note(doc: dict, readable: bool, symbolic: bool) -> dict:
    """The note a document carries when its selected trial could not be read out."""
    if not readable and symbolic:
        doc["note"] = "the selected trial has too many live weights to read out"
    return doc


def grouped_training_data(x, y, p, input_names, ds, settings, build) -> tuple:
    """``training_data`` of a task whose runs train on rows grouped by parameter value: the data
    holder on the settings' device, the arrays' fingerprint and the model builder."""
    from ..fit import checkpoint as ckpt
    from ..fit.data import GroupedData
    from ..fit.settings import resolve_device

    data = GroupedData(x, y, p, input_names, ds.attrs.get("param_name", "t"), settings.target_normalisation,
                       resolve_device(settings.device))
    return data, ckpt.data_fingerprint(x, y, p), build
