"""Tidy steps of the read-out chain (:mod:`peql.symbolic.chain`), each a function of a
:class:`~peql.symbolic.readout.Readout` and the training rows grouped by parameter value
(``xs[p]`` inputs, ``ys[p]`` targets at ``r.param_values[p]``) that returns a new read-out.

**Insignificant terms** (:func:`prune`). The read-out keeps every term whose coefficient reaches an
absolute threshold (0.01) somewhere; on real data that lets through small offsets and leakage
terms that the structure rule ignores anyway. Here a term leaves the skeleton when its
root-mean-square contribution over the training inputs stays below 1 % of the target's RMS at
*every* parameter value (the same reference RMS, floored at 5 % of its median, as the structure
rule of DESIGN 6b). The remaining terms are refitted by least squares when the chain refits, so
what the dropped terms absorbed is reassigned.

**Duplicated terms** (:func:`merge`). Units of one primitive can share a term between them
(``0.7*sin(1.94*x) + 0.3*sin(1.96*x)``) and hand it from one unit to another along the parameter.
Terms of one shape with a single inner coefficient are merged into one when, at every parameter
value, the significant ones agree on that coefficient within 5 % (up to sign for an odd function).

**Inner coefficients** (:func:`polish`). The least-squares refit holds inner coefficients
(frequencies, rates) at the network's values; this polishes every coefficient of the skeleton at
every parameter value by nonlinear least squares (Jacobian in closed form), started there, keeping
the result only if it fits better. A value whose fit is more than ten times worse (relative RSS)
than a neighbour's along the parameter is restarted from the neighbour's solution, in up to three
sweeps.

**Consistent signs** (:func:`orient`). A weight set per parameter value (SEQL) may write
``2*sin(1.05*x)`` at one value and ``-2*sin(-1.05*x)`` at the next: the same equation, but
coefficient curves that jump between two branches and have no closed form. For every term
``a*f(b*...)`` with ``f`` odd (or even), the pair (a, b) is flipped (b alone for an even ``f``)
where that keeps b continuous along the parameter, oriented so that b is mostly positive. The
equations themselves do not change.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sympy

from .readout import Readout, law_of
from .refit import refit_readout
from .significance import REL_SIGNIFICANCE, reference_rms


def _slot_names(coefficients) -> list[str]:
    return sorted((k for k in coefficients if k != "param"), key=lambda k: int(k[1:]))


def term_contributions(skeleton: str, coefficients: dict, input_names: Sequence[str],
                       xs: Sequence[np.ndarray]) -> tuple[list, np.ndarray]:
    """The additive terms of ``skeleton`` and the RMS of each at every parameter value (terms x P)."""
    expr = sympy.sympify(skeleton)
    terms = list(sympy.Add.make_args(expr))
    slots = _slot_names(coefficients)
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


def rebuild(r: Readout, kept, coefficients: dict, xs, ys, input_names, threshold: float, refit: bool) -> Readout:
    """A read-out of skeleton ``kept`` (slots renamed c0, c1, ... in order) with ``coefficients``,
    least-squares refitted when ``refit``."""
    used = sorted((s for s in kept.free_symbols if str(s) in coefficients), key=lambda s: int(str(s)[1:]))
    rename = {s: sympy.Symbol(f"c{i}") for i, s in enumerate(used)}
    new_coefs = {str(rename[s]): np.asarray(coefficients[str(s)], dtype=float) for s in used}
    skeleton = kept.xreplace(rename)
    exprs = law_of(skeleton, new_coefs, input_names, r.scale, threshold)
    out = Readout(str(skeleton), r.param_values, new_coefs, exprs, r.n_live_weights, r.scale)
    return refit_readout(out, xs, ys, input_names, threshold) if refit else out


def prune(r: Readout, xs, ys, input_names, threshold: float = 0.01, refit: bool = True,
          rel: float = REL_SIGNIFICANCE) -> tuple[Readout, list[str]]:
    """Drop never-significant terms (see the module docstring); returns the read-out and the
    dropped terms."""
    arrays = {k: np.asarray(v, dtype=float) for k, v in r.coefficients.items()}
    terms, rms = term_contributions(r.skeleton, arrays, input_names, xs)
    keep = np.any(rms >= rel * reference_rms(ys)[None, :], axis=1)
    if keep.all() or not keep.any():
        return r, []
    dropped = [str(t) for t, k in zip(terms, keep) if not k]
    return rebuild(r, sympy.Add(*[t for t, k in zip(terms, keep) if k]), arrays, xs, ys, input_names, threshold,
                   refit), dropped


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


def merge(r: Readout, xs, ys, input_names, threshold: float = 0.01, refit: bool = True,
          rel: float = REL_SIGNIFICANCE, agree: float = 0.05) -> tuple[Readout, list[list[str]]]:
    """Merge terms of one shape whose significant members agree on their inner coefficient at every
    parameter value (see the module docstring); returns the read-out and the merged groups."""
    arrays = {k: np.asarray(v, dtype=float).copy() for k, v in r.coefficients.items()}
    terms, rms = term_contributions(r.skeleton, arrays, input_names, xs)
    slots = {sympy.Symbol(k) for k in arrays}
    groups: dict = {}
    for i, term in enumerate(terms):
        parts = _lead_and_inner(term, slots)
        if parts is not None:
            groups.setdefault(parts[2], []).append((i, parts[0], parts[1]))
    ref = rel * reference_rms(ys)
    drop, merged_groups = set(), []
    for key, members in groups.items():
        if len(members) < 2:
            continue
        odd = any(_parity(f.func) < 0 for f in key.atoms(sympy.Function) if len(f.args) == 1)
        merged = [_merge_at(p, members, arrays, rms, ref[p], odd, agree) for p in range(len(r.param_values))]
        if any(m is None for m in merged):
            continue  # somewhere two distinct terms of this shape matter: a genuine sum, keep them
        _, a0, b0 = members[0]
        arrays[str(a0)] = np.array([m[0] for m in merged])
        arrays[str(b0)] = np.array([m[1] for m in merged])
        drop |= {i for i, _, _ in members[1:]}
        merged_groups.append([str(terms[i]) for i, _, _ in members])
    if not drop:
        return r, []
    kept = sympy.Add(*[t for i, t in enumerate(terms) if i not in drop])
    return rebuild(r, kept, arrays, xs, ys, input_names, threshold, refit), merged_groups


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


def polish(r: Readout, xs, ys, input_names, threshold: float = 0.01) -> Readout:
    """Nonlinear least-squares polish of every coefficient at every parameter value (see the
    module docstring); a skeleton whose coefficients all enter linearly is returned as it is."""
    from scipy.optimize import least_squares

    skeleton = sympy.sympify(r.skeleton)
    names = _slot_names(r.coefficients)
    slots = [sympy.Symbol(k) for k in names]
    leads = {f for t in sympy.Add.make_args(skeleton) for f in sympy.Mul.make_args(t) if f in set(slots)}
    if set(slots) <= leads:
        return r  # every coefficient enters linearly: the least-squares refit is already optimal
    fn = sympy.lambdify([sympy.Symbol(n) for n in input_names] + slots, skeleton, modules="numpy")
    arrays = {k: np.asarray(r.coefficients[k], dtype=float).copy() for k in names}

    def residual(c, X, y):
        with np.errstate(all="ignore"):
            res = np.broadcast_to(np.asarray(fn(*X.T, *c), dtype=float), y.shape) - y
        return np.where(np.isfinite(res), res, 1e6)

    # the Jacobian in closed form: one vectorised call instead of one residual per coefficient
    grad = sympy.lambdify([sympy.Symbol(n) for n in input_names] + slots, [sympy.diff(skeleton, s) for s in slots],
                          modules="numpy")

    def jacobian(c, X, y):
        with np.errstate(all="ignore"):
            J = np.stack([np.broadcast_to(np.asarray(g, dtype=float), y.shape) for g in grad(*X.T, *c)], axis=1)
        return np.where(np.isfinite(J), J, 0.0)

    def solve(p: int, start: np.ndarray) -> tuple[np.ndarray, float]:
        """(coefficients, RSS) polished from ``start`` at parameter value ``p``."""
        X, y = xs[p], ys[p]
        sol = least_squares(residual, start, jac=jacobian, args=(X, y), method="lm", x_scale="jac",
                            max_nfev=max(50, 20 * len(names)))
        return (sol.x, float(np.sum(sol.fun**2))) if np.all(np.isfinite(sol.x)) else (start, np.inf)

    current = [np.array([arrays[k][p] for k in names]) for p in range(len(xs))]
    rss = np.full(len(xs), np.inf)
    usable = [len(y) > len(names) and np.all(np.isfinite(residual(c, X, y)))
              for c, X, y in zip(current, xs, ys)]
    for p in np.flatnonzero(usable):
        rss[p] = float(np.sum(residual(current[p], xs[p], ys[p]) ** 2))
        c, f = solve(p, current[p])
        if f < rss[p]:
            current[p], rss[p] = c, f
    _continue_from_neighbours(current, rss, usable, solve, [float(np.sum(y**2)) for y in ys],
                              np.argsort(np.asarray(r.param_values, float), kind="stable"))
    for p in np.flatnonzero(usable):
        for k, v in zip(names, current[p]):
            arrays[k][p] = v
    exprs = law_of(skeleton, arrays, input_names, r.scale, threshold)
    return Readout(r.skeleton, r.param_values, arrays, exprs, r.n_live_weights, r.scale)


def _continue_from_neighbours(current: list, rss: np.ndarray, usable, solve, yy: list, order: np.ndarray,
                              sweeps: int = 3) -> None:
    """Restart the polish at a parameter value from its neighbour's solution where the neighbour
    fits its own rows far better (relative RSS), and keep the restart where it fits better.

    A local solver started from the network's numbers can settle in a poor optimum at a few values
    (a sine pushed into its linear range, where it and a linear term cancel into a cubic) while its
    neighbours, a small step along the parameter, hold the law. Coefficients vary smoothly with the
    parameter except at jumps, so a neighbour's solution is a start close to the right basin.
    In place; ``order`` sorts the values along the parameter; up to ``sweeps`` sweeps, forwards
    and backwards alternately, stopping early when one changes nothing."""
    rel = lambda p: rss[p] / max(yy[p], 1e-300)
    for sweep in range(sweeps):
        changed = False
        for i in (range(len(order)) if sweep % 2 == 0 else range(len(order) - 1, -1, -1)):
            p = order[i]
            if not usable[p]:
                continue
            for j in (i - 1, i + 1):
                q = order[j] if 0 <= j < len(order) else None
                if q is None or not usable[q] or not rel(p) > 10 * rel(q) + 1e-12:
                    continue
                c, f = solve(p, current[q].copy())
                if f < rss[p]:
                    current[p], rss[p], changed = c, f, True
        if not changed:
            return


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


def orient(r: Readout) -> Readout:
    """Sign-consistent coefficient curves for odd / even function terms (see the module
    docstring); the expressions are unchanged."""
    coefs = {k: np.asarray(v, dtype=float).copy() for k, v in r.coefficients.items()}
    slots = {sympy.Symbol(k) for k in coefs}
    skeleton = sympy.sympify(r.skeleton)
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
            signs = _continuous_signs(coefs[str(inner[0])])
            coefs[str(inner[0])] = signs * coefs[str(inner[0])]
            if parity < 0:
                coefs[str(leads[0])] = signs * coefs[str(leads[0])]
    return Readout(r.skeleton, r.param_values, coefs, r.expressions, r.n_live_weights, r.scale)
