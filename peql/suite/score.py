"""How a suite answer is scored: per-parameter-value laws against the problem's truth, by the one
structure rule of DESIGN 6b (:func:`peql.evaluate.judge_structure`), with the coefficient error
where the structure is right and the law's R^2 on held-out test rows."""

from __future__ import annotations

import numpy as np
import sympy

from .problems import ProblemData


def parse(expr, input_names) -> sympy.Expr:
    """A law given as a string (or SymPy) in the input names; names such as ``gamma`` stay symbols."""
    if isinstance(expr, sympy.Basic):
        return expr
    return sympy.parse_expr(str(expr), local_dict={n: sympy.Symbol(n) for n in input_names})


def _numbers(term: tuple) -> np.ndarray:
    """A significant term's numbers: its leading coefficient, then its inner numbers."""
    _, _, lead, inner, *_ = term
    return np.array([float(lead), *map(float, inner)])


def coefficient_error(learned_terms, true_terms, per_param_correct) -> dict:
    """Relative L1 error (%) of every number of the law (leading coefficients and inner numbers),
    over the parameter values where the significant shapes equal the truth's. Each true term is
    matched to the learned term of its shape with the closest numbers. ``n_compared`` counts the
    numbers compared."""
    diff = total = 0.0
    n = 0
    for learned, truth, ok in zip(learned_terms, true_terms, per_param_correct):
        if not ok:
            continue
        pool = list(learned)
        for term in truth:
            same = [k for k, lt in enumerate(pool) if lt[1] == term[1]]
            if not same:
                continue
            want = _numbers(term)
            k = min(same, key=lambda k: float(np.sum(np.abs(_numbers(pool[k]) - want))))
            got = _numbers(pool.pop(k))
            diff += float(np.sum(np.abs(got - want)))
            total += float(np.sum(np.abs(want)))
            n += len(want)
    return {"coef_rel_l1_pct": 100.0 * diff / total if n and total > 0 else None, "n_compared": n}


def law_predictions(data: ProblemData, expressions: dict[float, object], rows: np.ndarray) -> np.ndarray:
    """Predictions on ``rows`` of the per-value laws (the law of the nearest key for every group)."""
    keys = np.array(sorted(expressions))
    symbols = [sympy.Symbol(n) for n in data.input_names]
    pred = np.full(len(data.y), np.nan)
    for value, in_group in data.groups():
        at = in_group & rows
        if not at.any():
            continue
        expr = parse(expressions[keys[np.argmin(np.abs(keys - value))]], data.input_names)
        with np.errstate(all="ignore"):
            pred[at] = np.broadcast_to(sympy.lambdify(symbols, expr, "numpy")(*data.X[at].T), (int(at.sum()),))
    return pred[rows]


def r2(y: np.ndarray, pred: np.ndarray) -> float:
    """Coefficient of determination; -inf when a prediction is not finite."""
    if not np.all(np.isfinite(pred)):
        return float("-inf")
    return float(1.0 - np.sum((y - pred) ** 2) / np.sum((y - y.mean()) ** 2))


def score_expressions(data: ProblemData, expressions: dict[float, object]) -> dict:
    """Score per-parameter-value laws (keys: parameter values; the nearest key serves each group
    of :meth:`ProblemData.groups`, so keys that went through JSON or pooling still match).

    Returns ``correct`` and ``structure`` (DESIGN 6b, on every value's training rows against
    :meth:`ProblemData.truth_at`), ``coef_rel_l1_pct`` with ``n_compared``
    (:func:`coefficient_error`) and ``test_r2``, the R^2 of the laws on the test rows, pooled
    over values.
    """
    from ..evaluate import judge_structure

    keys = np.array(sorted(expressions))
    learned, truths, inputs, targets = [], [], [], []
    for value, rows in data.groups():
        learned.append(parse(expressions[keys[np.argmin(np.abs(keys - value))]], data.input_names))
        truths.append(data.truth_at(value))
        inputs.append(data.X[rows & data.train])
        targets.append(data.y[rows & data.train])
    verdict = judge_structure(learned, truths, inputs, targets, data.input_names)
    coef = coefficient_error(verdict.learned_terms, verdict.true_terms, verdict.per_param_correct)
    test_r2 = r2(data.y[data.test], law_predictions(data, expressions, data.test))
    return {"correct": bool(verdict.correct), "structure": verdict.to_dict(), **coef, "test_r2": test_r2}
