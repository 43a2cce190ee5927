"""The ``support`` step of the read-out chain: keep the terms the data support, across all
parameter values at once.

The network proposes term shapes; a group-sparse regression decides which terms stay. The
candidates are every term of the read-out, every monomial of the inputs up to degree 3 (the
constant included) and the shape library's terms (:mod:`peql.symbolic.shape_library`: ``sin``,
``cos`` and ``exp`` of every input, for shapes the network did not propose). The monomials are
there because a network often writes a low-order polynomial with another primitive: ``x`` as
``14989 sin(0.00168 x)`` (a sine in its linear range) or a cubic as a sum of sines; the
regression prefers the monomial when it explains the data as well with as few terms.

Selection by BIC, ``N ln(RSS / N) + k ln N``: every support is refitted by least squares at
each parameter value; ``N`` counts the rows and ``k`` the parameters, a term's leading coefficient
and its inner numbers at every parameter value (so a sine costs twice a monomial). RSS is floored
at ``1e-6`` of the target's sum of squares: below that (a term worth less than 0.1 % of the
target's RMS, a tenth of the significance rule of DESIGN 6b) exact data would reward round-off,
and at the floor the support with fewer parameters wins. The search
(:mod:`peql.symbolic.support_search`) starts from the read-out's own terms and from the best
support on the paths of sequential grouped thresholding (:func:`peql.baselines.sgtr.sgtr`, one
support shared by every parameter value) of all candidates, of those before the library and of
the monomials alone, and takes the best single change (drop a term, add one, swap one for
another) while BIC improves. With more than ``SEARCH_VALUES`` parameter values the search scores
on that many evenly spaced ones, and the support it chooses is fitted and scored on all. On noisy data BIC is what keeps noise from buying constants and
small terms. A support whose sines or exponentials cancel each other is refused.

Inner numbers are not held fixed. A term with inner numbers of its own (``sin(c1*x)``,
``exp(c2*x)``) enters a support with its derivative in each of them beside it (``x*cos(c1*x)``):
the least-squares fit of the pair is one Gauss-Newton step on the inner number, so a sine whose
frequency is slightly off is scored as the sine it is next to, not replaced by a cubic that
absorbs the error. The parameters counted stay the same (a term and its inner numbers). After
each search the chosen support is polished by nonlinear least squares
(:func:`peql.symbolic.tidy.polish`, restarts from neighbouring parameter values included), its
inner numbers carried into the next search, until the support and its inner numbers settle or
BIC stops improving (at most ``ROUNDS`` rounds). Before each search, the read-out's terms of one
shape are given their inner numbers in one order at every parameter value (units hand a term
from one to another along the parameter)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations_with_replacement

import numpy as np
import sympy

from .readout import Readout, law_of
from .refit import split_lead
from .support_search import SupportScorer, search

DEGREE = 3
RSS_FLOOR = 1e-6
MAX_CANDIDATES = 80
#: A term below this fraction of the target's RMS at a parameter value idles there (term sorting).
SORT_SIGNIFICANCE = 1e-3
#: Rounds of search and polish of the kept terms' inner numbers.
ROUNDS = 6
#: The search scores supports on at most this many parameter values, evenly spaced: a field's
#: 256 cost four times as much, and a term the law needs along the parameter shows at the spaced
#: values too (a term needed only between two of them would be missed). The chosen support is
#: then fitted and scored on every value.
SEARCH_VALUES = 64


def monomials(input_names: Sequence[str], degree: int = DEGREE) -> list[sympy.Expr]:
    """Every monomial of the inputs up to ``degree``, the constant first."""
    syms = [sympy.Symbol(n) for n in input_names]
    return [sympy.Mul(*c) for d in range(degree + 1) for c in combinations_with_replacement(syms, d)]


def own_terms(r: Readout) -> list[sympy.Expr]:
    """The read-out's terms without their leading slot."""
    slots = {sympy.Symbol(k) for k in r.coefficients}
    return [split_lead(t, slots)[1] for t in sympy.Add.make_args(sympy.sympify(r.skeleton)) if t != 0]


def candidates(r: Readout, input_names: Sequence[str], degree: int = DEGREE) -> list[sympy.Expr]:
    """The terms without their leading slot: the read-out's first, then the monomials it lacks."""
    own = own_terms(r)
    seen = {sympy.srepr(t) for t in own}
    return own + [m for m in monomials(input_names, degree) if sympy.srepr(m) not in seen]


def _slot_order(r: Readout) -> list[str]:
    return sorted(r.coefficients, key=lambda k: int(k[1:]))


def _columns(exprs: Sequence[sympy.Expr], r: Readout, inner: dict[str, np.ndarray], input_names: Sequence[str],
             xs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Per parameter value, (n_p, len(exprs)) values of every expression at its inner numbers there
    (``inner`` overrides the read-out's values of the slots it names)."""
    if not exprs:
        return [np.zeros((len(X), 0)) for X in xs]
    slots = _slot_order(r)
    fn = sympy.lambdify([sympy.Symbol(n) for n in input_names] + [sympy.Symbol(k) for k in slots],
                        list(exprs), modules="numpy")
    values = {k: np.asarray(inner.get(k, r.coefficients[k]), float) for k in slots}
    out = []
    for p, X in enumerate(xs):
        with np.errstate(all="ignore"):
            vals = fn(*np.asarray(X, float).T, *[float(values[k][p]) for k in slots])
        out.append(np.stack([np.broadcast_to(np.asarray(v, float), (len(X),)) for v in vals], axis=1))
    return out


def _own_inner_slots(terms: Sequence[sympy.Expr], r: Readout) -> list[list[sympy.Symbol]]:
    """Per term, the inner slots that belong to it alone (a slot shared by two terms is held fixed:
    one Gauss-Newton step per term could not agree on it)."""
    slots = [sorted((f for f in t.free_symbols if str(f) in r.coefficients), key=str) for t in terms]
    count: dict = {}
    for ss in slots:
        for f in ss:
            count[f] = count.get(f, 0) + 1
    return [[f for f in ss if count[f] == 1] for ss in slots]


def select_support(r: Readout, xs: Sequence[np.ndarray], ys: Sequence[np.ndarray], input_names: Sequence[str],
                   threshold: float = 0.01, degree: int = DEGREE) -> tuple[Readout, dict]:
    """The read-out with the support the data choose (module docstring). Returns it and what
    changed: ``{"added": [...], "dropped": [...]}`` (terms without their leading slot)."""
    if len(xs) < 2:   # one group (a recurrent cell's heads, the latent an input): nothing is shared
        return r, {"added": [], "dropped": []}
    terms = candidates(r, input_names, degree)
    if len(terms) > MAX_CANDIDATES:   # many inputs: the read-out's terms and the linear monomials only
        terms = candidates(r, input_names, 1)
    own = len(own_terms(r))
    ys = [np.asarray(y, float) for y in ys]
    own_cols = _columns(terms[:own], r, {}, input_names, xs)
    sizes = _sizes(_own_leads(r), own_cols, ys)
    unchanged = r, {"added": [], "dropped": []}   # the read-out as given, without the library's slots
    r, extra, limits = _with_library(r, terms[:own], own_cols, input_names, xs, ys)
    index = np.arange(len(terms) + len(extra))
    subsets = [index >= 0, index < len(terms), (index >= own) & (index < len(terms))]
    terms = terms + extra
    n = int(sum(len(y) for y in ys))
    current = np.arange(len(terms)) < own
    inner_slots = _own_inner_slots(terms, r)
    exprs = list(terms) + [sympy.diff(t, f) for t, ss in zip(terms, inner_slots) for f in ss]
    owner = np.array(list(range(len(terms))) + [i for i, ss in enumerate(inner_slots) for _ in ss])
    n_params = np.array([1 + sum(1 for f in t.free_symbols if str(f) in r.coefficients) for t in terms])
    floor = RSS_FLOOR * float(sum(np.sum(y**2) for y in ys))
    inner = {str(f): np.asarray(r.coefficients[str(f)], float).copy() for ss in inner_slots for f in ss}

    best, support = None, None
    for _ in range(ROUNDS):
        _sort_alike_terms(terms, inner_slots, inner, sizes)
        cols = _columns(exprs, r, inner, input_names, xs)
        if not all(np.all(np.isfinite(c)) for c in cols) or n <= len(exprs):
            break
        score = SupportScorer(cols, ys, owner, n_params, floor)
        pick = _search_values(len(ys))
        s_cols, s_ys = [cols[i] for i in pick], [ys[i] for i in pick]
        s_score = score if len(pick) == len(ys) else \
            SupportScorer(s_cols, s_ys, owner, n_params, RSS_FLOOR * float(sum(np.sum(y**2) for y in s_ys)))
        found = search(s_score, [current] if support is None else [current, support], subsets, s_cols, s_ys,
                       int(sum(len(y) for y in s_ys)))
        lead = score.coefficients(found)[:, :len(terms)]
        if not np.isfinite(score.rank(found)[0]) or (best is not None and not score.rank(found) < best[0]):
            break   # the last polish did not pay: BIC is comparable across rounds (same rows, counts)
        best = (score.rank(found), found, lead, {k: v.copy() for k, v in inner.items()})
        moved, lead = _polish_inner(r, terms, found, lead, inner, limits, xs, ys, input_names)
        sizes = _sizes(lead[:, :own], _columns(terms[:own], r, inner, input_names, xs), ys)
        settled = support is not None and np.array_equal(found, support) and moved <= 1e-6
        support = found
        if settled:
            break
    if best is None or np.array_equal(best[1], current):
        return unchanged
    _, support, lead, used = best
    return _rebuild(r, terms, support, lead, used, input_names, threshold), {
        "added": [str(t) for t, k, c in zip(terms, support, current) if k and not c],
        "dropped": [str(t) for t, k, c in zip(terms, support, current) if c and not k]}


def _search_values(n_values: int) -> np.ndarray:
    """Indices of the parameter values the search scores on: all of them, or ``SEARCH_VALUES``
    evenly spaced ones, the first and last included."""
    if n_values <= SEARCH_VALUES:
        return np.arange(n_values)
    return np.unique(np.round(np.linspace(0, n_values - 1, SEARCH_VALUES)).astype(int))


def _own_leads(r: Readout) -> np.ndarray:
    """(P, own terms) the read-out's leading coefficients (1 for a term without one)."""
    slots = {sympy.Symbol(k) for k in r.coefficients}
    leads = [split_lead(t, slots)[0] for t in sympy.Add.make_args(sympy.sympify(r.skeleton)) if t != 0]
    return np.stack([np.ones(len(r.param_values)) if lead is None else np.asarray(r.coefficients[str(lead)], float)
                     for lead in leads], axis=1) if leads else np.zeros((len(r.param_values), 0))


def _sizes(lead: np.ndarray, cols, ys) -> np.ndarray:
    """(terms, P) RMS of each term (``lead`` (P, terms) times its column) against the target's RMS."""
    out = np.zeros((lead.shape[1], len(ys)))
    for p, (A, y) in enumerate(zip(cols, ys)):
        rms_y = max(float(np.sqrt(np.mean(y**2))), 1e-300)
        out[:, p] = np.abs(lead[p]) * np.sqrt(np.mean(A[:, :lead.shape[1]] ** 2, axis=0)) / rms_y
    return out


def _with_library(r: Readout, own: list[sympy.Expr], own_cols, input_names, xs, ys
                  ) -> tuple[Readout, list[sympy.Expr], dict[str, float]]:
    """The read-out with the shape library's inner slots added to its coefficients (not to its
    skeleton), the library's terms and the bounds of their inner numbers
    (:mod:`peql.symbolic.shape_library`)."""
    from .shape_library import library_terms

    slots = set(r.coefficients)
    first = 1 + max((int(k[1:]) for k in slots), default=-1)
    # products of a shape and an input only where the candidates stay few (three inputs or fewer)
    extra, values, limits = library_terms(own, own_cols, slots, first, input_names, xs, ys,
                                          with_products=len(input_names) <= 3)
    if not extra:
        return r, [], {}
    return Readout(r.skeleton, r.param_values, {**r.coefficients, **values}, r.expressions, r.n_live_weights,
                   r.scale), extra, limits


def _polish_inner(r: Readout, terms, support: np.ndarray, lead: np.ndarray, inner: dict[str, np.ndarray],
                  limits: dict[str, float], xs, ys, input_names) -> tuple[float, np.ndarray]:
    """Polish the support's numbers by nonlinear least squares (:func:`peql.symbolic.tidy.polish`,
    neighbour restarts included) and write the kept terms' inner numbers back into ``inner`` (in
    place), each within its bound in ``limits`` if it has one (a clipped term fits worse, and the
    next search drops it unless the data need it). Returns the largest relative change and the
    polished (P, terms) leading coefficients."""
    from .tidy import polish

    kept_inner = _inner_rename(r, terms, support)
    if not kept_inner:
        return 0.0, lead
    polished = polish(_rebuild(r, terms, support, lead, inner, input_names, 0.0), xs, ys, input_names, 0.0)
    moved = 0.0
    for old, new in kept_inner.items():
        value = np.asarray(polished.coefficients[new], float)
        if old in limits:
            value = np.clip(value, -limits[old], limits[old])
        moved = max(moved, float(np.max(np.abs(value - inner[old]) / (1 + np.abs(inner[old])))))
        inner[old] = value.copy()
    lead = lead.copy()
    for i, k in enumerate(np.flatnonzero(support)):
        lead[:, k] = polished.coefficients[f"c{i}"]
    return moved, lead


def _sort_alike_terms(terms: Sequence[sympy.Expr], inner_slots: list[list[sympy.Symbol]],
                      inner: dict[str, np.ndarray], sizes: np.ndarray) -> None:
    """Give the read-out's terms of one shape (``sin(c3*x)``, ``sin(c5*x)``) their inner numbers in
    one order at every parameter value (in place): the ones that matter there (``sizes``: at least
    ``SORT_SIGNIFICANCE`` of the target's RMS) first, by the size of the inner number, then the rest.

    Units of one primitive hand a term from one to another along the parameter: the sine in its
    linear range is ``sin(c3*x)`` at one value and ``sin(c5*x)`` at the next, and a unit that
    matters at one value idles at the next. A support is shared by every value, so it can only drop
    a term when one slot holds it everywhere. The leading coefficients are refitted by the search."""
    groups: dict[str, list[int]] = {}
    for i, (t, ss) in enumerate(zip(terms, inner_slots)):
        if i < sizes.shape[0] and ss and len(ss) == len([f for f in t.free_symbols if str(f) in inner]):
            placeholder = t.xreplace({f: sympy.Symbol(f"_inner{j}") for j, f in enumerate(ss)})
            groups.setdefault(sympy.srepr(placeholder), []).append(i)
    for members in groups.values():
        if len(members) < 2:
            continue
        values = np.stack([np.stack([inner[str(f)] for f in inner_slots[i]]) for i in members])  # (m, slots, P)
        idle = sizes[members] < SORT_SIGNIFICANCE                                                # (m, P)
        order = np.stack([np.lexsort((np.abs(values[:, 0, p]), idle[:, p])) for p in range(values.shape[2])], axis=1)
        values = np.take_along_axis(values, order[:, None, :], axis=0)
        for m, i in enumerate(members):
            for j, f in enumerate(inner_slots[i]):
                inner[str(f)] = values[m, j].copy()


def _inner_rename(r: Readout, terms, support: np.ndarray) -> dict[str, str]:
    """The kept terms' inner slots and their names in the rebuilt read-out (after the leading
    slots c0 .. c{kept-1})."""
    n_kept = int(np.count_nonzero(support))
    slots = sorted({str(s) for k in np.flatnonzero(support) for s in terms[k].free_symbols if str(s) in r.coefficients},
                   key=lambda s: int(s[1:]))
    return {s: f"c{n_kept + i}" for i, s in enumerate(slots)}


def _rebuild(r: Readout, terms, support: np.ndarray, coefs: np.ndarray, inner: dict[str, np.ndarray],
             input_names, threshold: float) -> Readout:
    """A read-out of the kept terms: new leading slots c0, c1, ... with the least-squares values,
    the kept terms' inner slots renamed after them with their values (``inner`` where it names
    them, after the Gauss-Newton steps; else the read-out's)."""
    kept = [k for k in range(len(terms)) if support[k]]
    rename = {sympy.Symbol(old): sympy.Symbol(new) for old, new in _inner_rename(r, terms, support).items()}
    coefficients = {f"c{i}": coefs[:, k].copy() for i, k in enumerate(kept)}
    coefficients.update({str(new): np.asarray(inner.get(str(old), r.coefficients[str(old)]), float).copy()
                         for old, new in rename.items()})
    skeleton = sympy.Add(*[sympy.Symbol(f"c{i}") * terms[k].xreplace(rename) for i, k in enumerate(kept)])
    exprs = law_of(skeleton, coefficients, input_names, r.scale, threshold)
    return Readout(str(skeleton), r.param_values, coefficients, exprs, r.n_live_weights, r.scale)
