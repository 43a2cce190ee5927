"""An equations document judged against the ground truth its dataset carries: the structure
verdict (DESIGN 6b) and the coefficient errors where the structure is right."""

from __future__ import annotations

import numpy as np

from .metrics import Groups
from .rule import StructureVerdict, judge_structure
from .truth import coefficient_errors, coefficient_estimates, true_expressions


def judge_document(doc: dict, ds, train: Groups) -> tuple[StructureVerdict | None, dict]:
    """Structure verdict and coefficient errors of an equations document against the truth."""
    from ..data import true_coefficients

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


