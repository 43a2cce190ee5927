"""Tidy a read-out law before its coefficient curves are interpreted.

**Insignificant terms.** The read-out keeps every term whose coefficient reaches an absolute threshold (0.01) somewhere;
on real data that lets through small offsets and leakage terms that the structure rule ignores
anyway. Here a term leaves the skeleton when its root-mean-square contribution over the training
inputs stays below 1 % of the target's RMS at *every* parameter value (the same reference RMS,
floored at 5 % of its median, as :func:`peql.symbolic.structure.judge_structure`). The remaining
terms are refitted by least squares, so what the dropped terms absorbed is reassigned.

**Consistent signs.** A weight set per parameter value (SEQL) may write ``2*sin(1.05*x)`` at one
value and ``-2*sin(-1.05*x)`` at the next: the same equation, but coefficient curves that jump
between two branches and have no closed form. For every term ``a*f(b*...)`` with ``f`` odd (or
even), the pair (a, b) is flipped (b alone for an even ``f``) where that keeps b continuous along
the parameter, oriented so that b is mostly positive. The equations themselves do not change.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import sympy

from .readout import Readout, format_expr, prune_terms
from .refit import refit_readout
from .structure import REL_SIGNIFICANCE, reference_rms


def _groups(train, values: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    x, y, param = train
    return [x[param == v] for v in values], [y[param == v] for v in values]


def term_contributions(skeleton: str, coefficients: dict, input_names: Sequence[str],
                       xs: Sequence[np.ndarray]) -> tuple[list, np.ndarray]:
    """The additive terms of ``skeleton`` and the RMS of each at every parameter value (terms x P)."""
    expr = sympy.sympify(skeleton)
    terms = list(sympy.Add.make_args(expr))
    slots = sorted((k for k in coefficients if k != "param"), key=lambda k: int(k[1:]))
    syms = [sympy.Symbol(n) for n in input_names] + [sympy.Symbol(k) for k in slots]
    fn = sympy.lambdify(syms, terms, modules="numpy")
    out = np.zeros((len(terms), len(xs)))
    for p, X in enumerate(xs):
        with np.errstate(all="ignore"):
            vals = fn(*X.T, *[coefficients[k][p] for k in slots])
        for i, v in enumerate(vals):
            v = np.broadcast_to(np.asarray(v, dtype=float), (len(X),))
            out[i, p] = np.sqrt(np.mean(v * v)) if len(X) else 0.0
    return terms, out


def prune_insignificant(doc: dict, train, threshold: float = 0.01, rel: float = REL_SIGNIFICANCE) -> dict:
    """Remove never-significant terms from an equations document in place (``pruned_terms`` lists
    them) and refit the others when the document was refitted; returns the document."""
    doc.setdefault("pruned_terms", [])
    if not doc.get("skeleton"):
        return doc
    coefs = doc["coefficients"]
    values = np.asarray(coefs["param"], dtype=float)
    xs, ys = _groups(train, values)
    arrays = {k: np.asarray(v, dtype=float) for k, v in coefs.items() if k != "param"}
    terms, rms = term_contributions(doc["skeleton"], arrays, doc["inputs"], xs)
    keep = np.any(rms >= rel * reference_rms(ys)[None, :], axis=1)
    if keep.all() or not keep.any():
        return doc
    kept = sympy.Add(*[t for t, k in zip(terms, keep) if k])
    used = sorted((s for s in kept.free_symbols if str(s) in arrays), key=lambda s: int(str(s)[1:]))
    rename = {s: sympy.Symbol(f"c{i}") for i, s in enumerate(used)}
    new_coefs = {str(rename[s]): arrays[str(s)] for s in used}
    skeleton = kept.xreplace(rename)
    exprs = [prune_terms(skeleton.xreplace({sympy.Symbol(k): sympy.Float(v[p]) for k, v in new_coefs.items()}),
                         threshold) for p in range(len(values))]
    r = Readout(str(skeleton), values, new_coefs, exprs, 0)
    if doc.get("refit"):
        r = refit_readout(r, xs, ys, doc["inputs"], threshold)
    doc["pruned_terms"] = [str(t) for t, k in zip(terms, keep) if not k]
    doc["skeleton"] = r.skeleton
    doc["coefficients"] = {"param": values.tolist(), **{k: v.tolist() for k, v in r.coefficients.items()}}
    doc["equations"] = [{"param": float(p), "expression": format_expr(e)} for p, e in zip(values, r.expressions)]
    return doc


def _parity(func) -> int:
    """+1 for an even, -1 for an odd function of one argument, 0 otherwise."""
    u = sympy.Dummy("u")
    try:
        if sympy.simplify(func(-u) + func(u)) == 0:
            return -1
        if sympy.simplify(func(-u) - func(u)) == 0:
            return 1
    except (TypeError, ValueError):
        pass
    return 0


def _continuous_signs(b: np.ndarray) -> np.ndarray:
    """Signs s (+-1) such that s*b changes as little as possible from one value to the next."""
    signs = np.ones(len(b))
    for k in range(1, len(b)):
        prev = signs[k - 1] * b[k - 1]
        signs[k] = 1.0 if abs(b[k] - prev) <= abs(-b[k] - prev) else -1.0
    return signs if np.sum(signs * b > 0) >= np.sum(signs * b < 0) else -signs


def orient_signs(doc: dict) -> dict:
    """Make the coefficient curves of odd / even function terms sign-consistent, in place."""
    if not doc.get("skeleton"):
        return doc
    coefs = doc["coefficients"]
    slots = {sympy.Symbol(k) for k in coefs if k != "param"}
    skeleton = sympy.sympify(doc["skeleton"])
    count = lambda s: sum(1 for a in sympy.preorder_traversal(skeleton) if a == s)
    for term in sympy.Add.make_args(skeleton):
        leads = [f for f in sympy.Mul.make_args(term) if f in slots]
        for fn in term.atoms(sympy.Function):
            if len(fn.args) != 1 or not fn.args[0].is_Mul:
                continue  # an argument with an added constant (a phase) has no simple symmetry
            inner = [f for f in fn.args[0].args if f in slots]
            parity = _parity(fn.func)
            if len(inner) != 1 or count(inner[0]) != 1 or parity == 0:
                continue
            if parity < 0 and (len(leads) != 1 or count(leads[0]) != 1):
                continue
            b = np.asarray(coefs[str(inner[0])], dtype=float)
            signs = _continuous_signs(b)
            coefs[str(inner[0])] = (signs * b).tolist()
            if parity < 0:
                coefs[str(leads[0])] = (signs * np.asarray(coefs[str(leads[0])], dtype=float)).tolist()
    return doc
