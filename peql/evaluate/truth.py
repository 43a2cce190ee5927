"""The ground truth as expressions per parameter value, and coefficient errors against it.

``true_equation`` is a SymPy string in the input names with named coefficient functions of the
parameter, e.g. ``"a(t)*x**2 + b(t)*x"``; ``true_coef`` gives each function's value per parameter
value. A learned slot is matched to a true coefficient through the term shapes: the slot of the
learned term that sits where the coefficient sits in the true term (found by perturbing the
coefficient and seeing which slot moves, and by how much).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import sympy

from ..symbolic.shapes import additive_terms, decompose


def parse_truth(true_equation: str, param_name: str, coef_names: Sequence[str]):
    """(expression with one plain symbol per coefficient, {name: symbol}, parameter symbol)."""
    t = sympy.Symbol(param_name)
    funcs = {n: sympy.Function(n) for n in coef_names}
    expr = sympy.sympify(true_equation, locals={**funcs, param_name: t})
    syms = {n: sympy.Symbol(f"__coef_{n}") for n in coef_names}
    expr = expr.replace(lambda e: e.is_Function and e.func.__name__ in funcs, lambda e: syms[e.func.__name__])
    return expr, syms, t


def true_expressions(true_equation: str, param_name: str, param_values: np.ndarray,
                     coef: Mapping[str, np.ndarray]) -> list[sympy.Expr]:
    """The true equation with numbers in place of coefficients, per parameter value."""
    expr, syms, t = parse_truth(true_equation, param_name, list(coef))
    return [expr.xreplace({t: sympy.Float(float(p)), **{s: sympy.Float(float(coef[n][i])) for n, s in syms.items()}})
            for i, p in enumerate(param_values)]


def _slots(expr) -> dict:
    """shape -> (leading, *inner) slots of the terms of an expression (terms of one shape summed
    when they have no inner slots)."""
    out: dict = {}
    for term in additive_terms(expr):
        if term == 0:
            continue
        shape, lead, inner = decompose(term)
        if shape in out and not inner:
            out[shape] = (out[shape][0] + lead,)
        else:
            out[shape] = (lead, *inner)
    return out


def coefficient_estimates(learned_terms: Sequence[Sequence[tuple]], true_equation: str, param_name: str,
                          param_values: np.ndarray, coef: Mapping[str, np.ndarray],
                          use: np.ndarray) -> dict[str, np.ndarray]:
    """Estimates of every true coefficient at every parameter value where ``use`` is True (NaN
    elsewhere or where the learned equation has no matching slot).

    Args:
        learned_terms: per parameter value, the significant learned terms from
            :func:`~peql.evaluate.rule.judge_structure` (term, shape, lead, inner, rms).
    """
    expr, syms, t = parse_truth(true_equation, param_name, list(coef))
    est = {n: np.full(len(param_values), np.nan) for n in coef}
    for i, p in enumerate(param_values):
        if not use[i]:
            continue
        base = {t: float(p), **{s: float(coef[n][i]) for n, s in syms.items()}}
        true_slots = _slots(expr.xreplace({k: sympy.Float(v) for k, v in base.items()}))
        learned: dict = {}
        for term, shape, lead, inner, rms in learned_terms[i]:
            if shape not in learned or (not inner and not learned[shape][1]):
                prev = learned.get(shape)
                learned[shape] = ((prev[0][0] + lead,) if prev and not inner else (lead, *inner), inner, rms)
            elif rms > learned[shape][2]:
                learned[shape] = ((lead, *inner), inner, rms)
        for name, sym in syms.items():
            # move away from zero so that the perturbed coefficient never vanishes
            step = 0.5 * abs(base[sym]) + 0.5
            moved = {**base, sym: base[sym] + (step if base[sym] >= 0 else -step)}
            pert = _slots(expr.xreplace({k: sympy.Float(v) for k, v in moved.items()}))
            guesses = []
            for shape, slots in true_slots.items():
                if shape not in pert or shape not in learned or len(learned[shape][0]) != len(slots):
                    continue
                for j, (v0, v1) in enumerate(zip(slots, pert[shape])):
                    factor = v1 - v0
                    if abs(factor) > 1e-9:
                        guesses.append(base[sym] + (learned[shape][0][j] - v0) / factor)
            if guesses:
                est[name][i] = float(np.mean(guesses))
    return est


def coefficient_errors(estimates: Mapping[str, np.ndarray], coef: Mapping[str, np.ndarray]) -> dict:
    """Coefficient MSE as the paper defines it (mean over true terms and parameter values) and
    relative L1 error in %, over the entries that have an estimate."""
    est = np.stack([estimates[n] for n in coef])
    true = np.stack([np.asarray(coef[n], float) for n in coef])
    ok = np.isfinite(est)
    if not ok.any():
        return {"coef_mse": None, "coef_rel_l1_pct": None, "n_compared": 0}
    diff = est[ok] - true[ok]
    denom = np.sum(np.abs(true[ok]))
    return {"coef_mse": float(np.mean(diff**2)),
            "coef_rel_l1_pct": float(100 * np.sum(np.abs(diff)) / denom) if denom > 0 else None,
            "n_compared": int(ok.sum())}
