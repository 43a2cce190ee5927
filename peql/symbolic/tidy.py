"""Tidy a read-out law before its coefficient curves are interpreted (used by
:class:`peql.ParametricRegressor`, in the order of the paragraphs below).

**Insignificant terms.** The read-out keeps every term whose coefficient reaches an absolute
threshold (0.01) somewhere; on real data that lets through small offsets and leakage terms that the structure rule ignores
anyway. Here a term leaves the skeleton when its root-mean-square contribution over the training
inputs stays below 1 % of the target's RMS at *every* parameter value (the same reference RMS,
floored at 5 % of its median, as :func:`peql.symbolic.structure.judge_structure`). The remaining
terms are refitted by least squares, so what the dropped terms absorbed is reassigned.

**Duplicated terms.** Units of one primitive can share a term between them (``0.7*sin(1.94*x) +
0.3*sin(1.96*x)``) and hand it from one unit to another along the parameter. Terms of one shape
with a single inner coefficient are merged into one when, at every parameter value, the
significant ones agree on that coefficient within 5 % (up to sign for an odd function).

**Inner coefficients.** The least-squares refit holds inner coefficients (frequencies, rates) at
the network's values; :func:`refit_all` then polishes every coefficient of the skeleton at every
parameter value by nonlinear least squares, started there, keeping the result only if it fits
better.

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
    doc["pruned_terms"] = [str(t) for t, k in zip(terms, keep) if not k]
    return _rebuild(doc, sympy.Add(*[t for t, k in zip(terms, keep) if k]), arrays, xs, ys, threshold)


def _rebuild(doc: dict, kept, arrays: dict, xs, ys, threshold: float) -> dict:
    """Set the document's skeleton to ``kept`` (slots renamed c0, c1, ... in order), refitted when
    the document was, with its coefficients and equations."""
    values = np.asarray(doc["coefficients"]["param"], dtype=float)
    used = sorted((s for s in kept.free_symbols if str(s) in arrays), key=lambda s: int(str(s)[1:]))
    rename = {s: sympy.Symbol(f"c{i}") for i, s in enumerate(used)}
    new_coefs = {str(rename[s]): arrays[str(s)] for s in used}
    skeleton = kept.xreplace(rename)
    exprs = [prune_terms(skeleton.xreplace({sympy.Symbol(k): sympy.Float(v[p]) for k, v in new_coefs.items()}),
                         threshold) for p in range(len(values))]
    r = Readout(str(skeleton), values, new_coefs, exprs, 0)
    if doc.get("refit"):
        r = refit_readout(r, xs, ys, doc["inputs"], threshold)
    return _store(doc, r)


def _store(doc: dict, r: Readout) -> dict:
    doc["skeleton"] = r.skeleton
    doc["coefficients"] = {"param": r.param_values.tolist(), **{k: np.asarray(v).tolist()
                                                                for k, v in r.coefficients.items()}}
    doc["equations"] = [{"param": float(p), "expression": format_expr(e)} for p, e in zip(r.param_values, r.expressions)]
    return doc


def _lead_and_inner(term, slots: set):
    """(lead slot, the single inner slot, shape key) of ``lead * f(inner * ...)``, else None."""
    leads = [f for f in sympy.Mul.make_args(term) if f in slots]
    if len(leads) != 1:
        return None
    rest = term / leads[0]
    inner = rest.free_symbols & slots
    if len(inner) != 1:
        return None
    (b,) = inner
    return leads[0], b, rest.xreplace({b: sympy.Symbol("__inner")})


def merge_duplicates(doc: dict, train, threshold: float = 0.01, rel: float = REL_SIGNIFICANCE,
                     agree: float = 0.05) -> dict:
    """Merge terms of one shape whose significant members agree on their inner coefficient at every
    parameter value (see the module docstring), in place; ``merged_terms`` lists what was merged."""
    doc.setdefault("merged_terms", [])
    if not doc.get("skeleton"):
        return doc
    values = np.asarray(doc["coefficients"]["param"], dtype=float)
    xs, ys = _groups(train, values)
    arrays = {k: np.asarray(v, dtype=float) for k, v in doc["coefficients"].items() if k != "param"}
    terms, rms = term_contributions(doc["skeleton"], arrays, doc["inputs"], xs)
    slots = {sympy.Symbol(k) for k in arrays}
    groups: dict = {}
    for i, term in enumerate(terms):
        parts = _lead_and_inner(term, slots)
        if parts is not None:
            groups.setdefault(parts[2], []).append((i, parts[0], parts[1]))
    ref = rel * reference_rms(ys)
    drop = set()
    for key, members in groups.items():
        if len(members) < 2:
            continue
        odd = any(_parity(f.func) < 0 for f in key.atoms(sympy.Function) if len(f.args) == 1)
        merged = [_merge_at(p, members, arrays, rms, ref[p], odd, agree) for p in range(len(values))]
        if any(m is None for m in merged):
            continue  # somewhere two distinct terms of this shape matter: a genuine sum, keep them
        _, a0, b0 = members[0]
        arrays[str(a0)] = np.array([m[0] for m in merged])
        arrays[str(b0)] = np.array([m[1] for m in merged])
        drop |= {i for i, _, _ in members[1:]}
        doc["merged_terms"].append([str(terms[i]) for i, _, _ in members])
    if not drop:
        return doc
    return _rebuild(doc, sympy.Add(*[t for i, t in enumerate(terms) if i not in drop]), arrays, xs, ys, threshold)


def _merge_at(p: int, members, arrays: dict, rms: np.ndarray, ref: float, odd: bool, agree: float):
    """(lead, inner) of one term replacing ``members`` at parameter value ``p``, or None when more
    than one distinct inner value matters there. Members agreeing on the inner coefficient are
    summed first, so that two large terms that cancel count as the (small) sum they are."""
    clusters: list[list] = []  # [inner, summed lead, rms of the term per unit lead]
    for i, a, b in sorted(members, key=lambda m: -rms[m[0], p]):
        lead, inner = arrays[str(a)][p], arrays[str(b)][p]
        unit = rms[i, p] / abs(lead) if lead != 0 else 0.0
        for c in clusters:
            s = -1.0 if odd and np.sign(inner) != np.sign(c[0]) else 1.0
            if abs(s * inner - c[0]) <= agree * abs(c[0]):
                c[1] += s * lead
                break
        else:
            clusters.append([inner, lead, unit])
    matter = [c for c in clusters if abs(c[1]) * c[2] >= ref]
    if len(matter) > 1:
        return None
    best = matter[0] if matter else clusters[0]
    return (best[1] if matter else 0.0), best[0]


def refit_all(doc: dict, train, threshold: float = 0.01) -> dict:
    """Nonlinear least-squares polish of every coefficient at every parameter value (see the module
    docstring), in place, when the skeleton has inner coefficients and the document was refitted."""
    from scipy.optimize import least_squares

    if not doc.get("skeleton") or not doc.get("refit"):
        return doc
    skeleton = sympy.sympify(doc["skeleton"])
    names = sorted((k for k in doc["coefficients"] if k != "param"), key=lambda k: int(k[1:]))
    slots = [sympy.Symbol(k) for k in names]
    leads = {f for t in sympy.Add.make_args(skeleton) for f in sympy.Mul.make_args(t) if f in set(slots)}
    if set(slots) <= leads:
        return doc  # every coefficient enters linearly: the least-squares refit is already optimal
    values = np.asarray(doc["coefficients"]["param"], dtype=float)
    xs, ys = _groups(train, values)
    fn = sympy.lambdify([sympy.Symbol(n) for n in doc["inputs"]] + slots, skeleton, modules="numpy")
    arrays = {k: np.asarray(doc["coefficients"][k], dtype=float).copy() for k in names}

    def residual(c, X, y):
        with np.errstate(all="ignore"):
            r = np.broadcast_to(np.asarray(fn(*X.T, *c), dtype=float), y.shape) - y
        return np.where(np.isfinite(r), r, 1e6)

    for p, (X, y) in enumerate(zip(xs, ys)):
        c0 = np.array([arrays[k][p] for k in names])
        if len(y) <= len(names) or not np.all(np.isfinite(residual(c0, X, y))):
            continue
        sol = least_squares(residual, c0, args=(X, y), method="lm", x_scale="jac", max_nfev=100 * len(names))
        if np.all(np.isfinite(sol.x)) and np.sum(sol.fun**2) < np.sum(residual(c0, X, y) ** 2):
            for k, v in zip(names, sol.x):
                arrays[k][p] = v
    exprs = [prune_terms(skeleton.xreplace({s: sympy.Float(arrays[k][p]) for s, k in zip(slots, names)}), threshold)
             for p in range(len(values))]
    return _store(doc, Readout(str(skeleton), values, arrays, exprs, 0))


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
