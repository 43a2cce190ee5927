"""Closed forms for coefficient curves: the second stage of discovery.

A parametric fit gives each coefficient as a curve c(t) sampled at parameter values. This module
searches a catalogue of simple forms (:mod:`peql.symbolic.curve_forms`: constant, line, quadratic,
cubic, ``a + b sgn(t - t0)``, ``a + b exp(k t)``, ``a + b sin(w t + phi)``, piecewise linear with
one or two kinks) for a formula of c(t):

1. **Fit** every form by least squares (scans for the nonlinear constants, then a polish); a form
   is tried only on curves with at least two points per constant plus two, so that it cannot
   merely interpolate a short curve.
2. **Tolerance.** A form is *accepted* when the root-mean-square of its residual is at most
   ``tolerance = max(rtol * rms(c), atol)``, with ``rtol`` 2 % by default: the formula must
   reproduce the curve to within 2 % of the curve's own RMS magnitude.
3. **Snap.** The constants of an accepted form are moved, one at a time and greedily, to "nice"
   values (0, then fractions p/q with q in 1, 2, 4, 3, 5, 10; multiples of pi/4 for phases; pi
   fractions for frequencies and rates) as long as the residual stays within
   ``min(tolerance, max(tolerance / 2, 1.5 * the unsnapped residual))``: snapping may spend at most
   half of the tolerance, so ``2.998*sin(1.0004*t)`` becomes ``3*sin(t)`` but 0.45 never becomes 1/2
   unless the data cannot tell them apart. After each snap the remaining constants are refitted.
4. **Prefer the simpler.** Among accepted formulas the one with the lowest complexity wins (a
   free decimal constant costs 1; an exact non-unit number, a function or a power 0.5), ties
   broken by the residual. ``t`` beats ``t/2 + 5/2`` beats a cubic with four decimals.

A curve for which no form is accepted gets no closed form; the best candidate is still reported
with its error so that the user sees how far off it is.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Mapping, Sequence

import numpy as np
import sympy

from .curve_forms import ANGLE, FORMS, RATE, Form

RTOL = 0.02
ATOL = 1e-9
_DENOMINATORS = (1, 2, 4, 3, 5, 10)
_SNAP_REACH = 0.25   # a nice value more than 25 % away from the fitted one is not tried
_DIGITS = 6          # significant digits of constants that stay free


@dataclass
class ClosedForm:
    """The outcome of the search for one coefficient curve.

    Attributes:
        name: the coefficient (slot) name.
        formula: the accepted formula (SymPy-parsable, in the parameter name), or None.
        form: the catalogue form it came from (``linear``, ``sine``, ...), or None.
        rms_error: RMS residual of the accepted formula (of the best candidate when none is).
        rel_error: ``rms_error`` divided by the RMS of the curve.
        tolerance: the acceptance threshold on ``rms_error``.
        best: the best formula found, accepted or not.
        candidates: every form tried: (form, formula, rms_error, accepted).
    """

    name: str
    formula: str | None
    form: str | None
    rms_error: float
    rel_error: float
    tolerance: float
    best: str | None
    candidates: list = field(default_factory=list, repr=False)

    @property
    def accepted(self) -> bool:
        return self.formula is not None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["accepted"] = self.accepted
        return d


def _rms(r: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(r)))) if len(r) else 0.0


def _residual_rms(form: Form, t, c, p) -> float:
    with np.errstate(all="ignore"):
        r = form.evaluate(t, p) - c
    return _rms(r) if np.all(np.isfinite(r)) else math.inf


def _polish(form: Form, t, c, p0: np.ndarray, fixed: Mapping[int, float]) -> tuple[np.ndarray, float]:
    """Least-squares polish of the constants that are neither fixed nor found by scanning."""
    from scipy.optimize import least_squares

    p = np.array(p0, dtype=float)
    for i, v in fixed.items():
        p[i] = v
    free = [i for i in range(len(p)) if i not in fixed and not form.scanned[i]]
    if free and len(t) > len(free):
        def residual(q):
            trial = p.copy()
            trial[free] = q
            with np.errstate(all="ignore"):
                r = form.evaluate(t, trial) - c
            return np.where(np.isfinite(r), r, 1e12)

        if np.all(np.isfinite(residual(p[free]))):
            sol = least_squares(residual, p[free], method="lm", x_scale="jac", max_nfev=100 * len(free))
            p[free] = sol.x
    return p, _residual_rms(form, t, c, p)


def _nice_values(v: float, kind: str) -> list[tuple[float, sympy.Expr]]:
    """Candidate exact values for a constant, simplest first."""
    cands: list[tuple[float, sympy.Expr]] = []
    if kind != RATE:  # a zero frequency or rate turns the form into a constant: that form exists
        cands.append((0.0, sympy.Integer(0)))
    if kind == ANGLE:
        for step in (2, 4):
            k = round(v / (math.pi / step))
            cands.append((k * math.pi / step, sympy.pi * sympy.Rational(k, step)))
    for q in _DENOMINATORS:
        cands.append((round(v * q) / q, sympy.Rational(round(v * q), q)))
    if kind == RATE:
        for q in (1, 2, 4):
            k = round(v * q / math.pi)
            cands.append((k * math.pi / q, sympy.pi * sympy.Rational(k, q)))
    out, seen = [], set()
    for value, exact in cands:
        near = value == 0.0 or abs(value - v) <= _SNAP_REACH * abs(v)
        if near and (value != 0.0 or kind != RATE) and round(value, 12) not in seen:
            seen.add(round(value, 12))
            out.append((value, exact))
    return out


def _snap(form: Form, t, c, p: np.ndarray, budget: float) -> tuple[np.ndarray, dict[int, sympy.Expr]]:
    """Greedily fix constants at nice values while the residual stays within ``budget``."""
    exact: dict[int, sympy.Expr] = {}
    while True:
        best = None
        for i in range(len(p)):
            if i in exact:
                continue
            for value, sym in _nice_values(p[i], form.kinds[i]):
                fixed = {**{j: float(e) for j, e in exact.items()}, i: value}
                q, r = _polish(form, t, c, p, fixed)
                if r <= budget:
                    if best is None or r < best[3]:
                        best = (i, sym, q, r)
                    break  # this constant's simplest acceptable value
        if best is None:
            return p, exact
        exact[best[0]] = best[1]
        p = best[2]


def complexity(expr: sympy.Expr) -> float:
    """Description cost of a formula: a free decimal 1, an exact non-unit number, a function
    application or a power 0.5 (``t`` 0, ``3*sign(t)`` 1, ``t/2 + 5/2`` 1)."""
    cost = 0.0
    for node in sympy.preorder_traversal(expr):
        if node.is_Float:
            cost += 1.0
        elif node.is_Rational and node not in (sympy.Integer(1), sympy.Integer(-1), sympy.Integer(0)):
            cost += 0.5
        elif node.is_Add:
            cost += 0.5 * sum(1 for a in node.args if a in (sympy.Integer(1), sympy.Integer(-1)))
        elif node.is_Pow or (node.is_Function and node.args):
            cost += 0.5
    return cost


def _expression(form: Form, p: np.ndarray, exact: Mapping[int, sympy.Expr], t: sympy.Symbol) -> sympy.Expr:
    values = [exact[i] if i in exact else sympy.Float(float(p[i]), _DIGITS) for i in range(len(p))]
    return form.expression(values, t)


def _formula_rms(expr: sympy.Expr, t_sym: sympy.Symbol, t: np.ndarray, c: np.ndarray) -> float:
    fn = sympy.lambdify(t_sym, expr, modules="numpy")
    with np.errstate(all="ignore"):
        pred = np.broadcast_to(np.asarray(fn(t), dtype=float), c.shape)
    return _rms(pred - c) if np.all(np.isfinite(pred)) else math.inf


def find_closed_form(param_values: Sequence[float], curve: Sequence[float], param_name: str = "t",
                     name: str = "c", rtol: float = RTOL, atol: float = ATOL,
                     forms: Sequence[Form] = FORMS) -> ClosedForm:
    """Search the catalogue for a formula of one coefficient curve.

    Args:
        param_values: parameter values (any order; non-finite entries of either array dropped).
        curve: the coefficient at each parameter value.
        param_name: the parameter's name, used as the formula's variable.
        name: the coefficient's name (reported back).
        rtol, atol: acceptance tolerance ``max(rtol * rms(curve), atol)`` on the RMS residual.
        forms: the catalogue to search (default: every form).

    Returns:
        A :class:`ClosedForm`; ``formula`` is None when no form fits within the tolerance.
    """
    t = np.asarray(param_values, dtype=float).ravel()
    c = np.asarray(curve, dtype=float).ravel()
    if t.shape != c.shape:
        raise ValueError(f"coefficient {name!r}: {len(t)} parameter values but {len(c)} curve values")
    ok = np.isfinite(t) & np.isfinite(c)
    order = np.argsort(t[ok], kind="stable")
    t, c = t[ok][order], c[ok][order]
    scale = _rms(c)
    tol = max(rtol * scale, atol)
    t_sym = sympy.Symbol(param_name)
    candidates, accepted = [], []
    for form in forms:
        if len(np.unique(t)) < 2 * len(form.constants) + 2:
            continue  # too few points to tell this form from an interpolant
        fits = [_polish(form, t, c, p0, {}) for p0 in form.starts(t, c)]
        if not fits:
            continue
        p, r = min(fits, key=lambda pr: pr[1])
        exact: dict = {}
        if r <= tol:
            p, exact = _snap(form, t, c, p, min(tol, max(tol / 2, 1.5 * r)))
        expr = _expression(form, p, exact, t_sym)
        err = _formula_rms(expr, t_sym, t, c)
        ok_form = err <= tol
        candidates.append((form.name, str(expr), err, ok_form))
        if ok_form:
            accepted.append((complexity(expr), err, form.name, expr))
    rel = (lambda e: e / scale if scale > 0 else (0.0 if e == 0 else math.inf))
    if accepted:
        cost, err, form_name, expr = min(accepted, key=lambda a: (a[0], a[1]))
        return ClosedForm(name, str(expr), form_name, err, rel(err), tol, str(expr), candidates)
    best = min(candidates, key=lambda cand: cand[2], default=None)
    return ClosedForm(name, None, None, best[2] if best else math.inf, rel(best[2]) if best else math.inf,
                      tol, best[1] if best else None, candidates)


def closed_forms(coefficients: Mapping[str, Sequence[float]], param_name: str = "t",
                 rtol: float = RTOL) -> dict[str, ClosedForm]:
    """:func:`find_closed_form` for every curve of an equations document's ``coefficients``
    (``{"param": [...], "c0": [...], ...}``)."""
    params = coefficients.get("param", [])
    return {k: find_closed_form(params, v, param_name, k, rtol) for k, v in coefficients.items() if k != "param"}


def law(skeleton: str, formulas: Mapping[str, str], param_name: str = "t") -> str:
    """The skeleton with every coefficient that has a closed form replaced by it; the others stay
    as functions of the parameter, e.g. ``t*x**2 + c1(t)*x``."""
    t = sympy.Symbol(param_name)
    expr = sympy.sympify(skeleton)
    slots = sorted((s for s in expr.free_symbols if str(s).startswith("c") and str(s)[1:].isdigit()), key=str)
    repl = {s: (sympy.sympify(formulas[str(s)], locals={param_name: t}) if str(s) in formulas
                else sympy.Function(str(s))(t)) for s in slots}
    return str(expr.xreplace(repl))


def add_closed_forms(doc: dict, rtol: float = RTOL) -> dict:
    """Fill ``closed_form`` (coefficient -> formula, accepted ones only), ``closed_form_details``
    (every coefficient: formula or best candidate, errors, tolerance) and ``law`` (the skeleton
    with the closed forms substituted) of an equations document, in place; returns it."""
    coefs = doc.get("coefficients") or {}
    pname = doc.get("parameter", "t")
    found = closed_forms(coefs, pname, rtol) if coefs else {}
    doc["closed_form"] = {k: cf.formula for k, cf in found.items() if cf.accepted}
    doc["closed_form_details"] = {
        k: {**{key: v for key, v in cf.to_dict().items() if key not in ("name", "candidates")},
            "candidates": [{"form": f, "formula": e, "rms_error": r, "accepted": a} for f, e, r, a in cf.candidates]}
        for k, cf in found.items()}
    doc["closed_form_rule"] = (f"accepted when the RMS residual is at most {rtol:g} x the RMS of the curve; "
                               "the simplest accepted formula wins")
    doc["law"] = law(doc["skeleton"], doc["closed_form"], pname) if doc.get("skeleton") else None
    return doc
