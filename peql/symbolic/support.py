"""The ``support`` step of the read-out chain: keep the terms the data support, across all
parameter values at once.

The network proposes term shapes; a group-sparse regression decides which terms stay. The
candidates are every term of the read-out (with its inner numbers, such as a frequency, held at
their values at each parameter value) and every monomial of the inputs up to degree 3, the
constant included. The monomials are there because a network often writes a low-order polynomial
with another primitive: ``x`` as ``14989 sin(0.00168 x)`` (a sine in its linear range) or a
cubic as a sum of sines; the regression prefers the monomial when it explains the data as well
with as few terms.

Selection by BIC, ``N ln(RSS / N) + k ln N``: every support is refitted by least squares at
each parameter value; ``N`` counts the rows and ``k`` the parameters, a term's leading coefficient
and its inner numbers at every parameter value (so a sine costs twice a monomial). RSS is floored
at ``1e-6`` of the target's sum of squares: below that (a term worth less than 0.1 % of the
target's RMS, a tenth of the significance rule of DESIGN 6b) exact data would reward round-off,
and at the floor the support with fewer parameters wins. The search starts from the read-out's
own terms and from the best support on the path of sequential grouped thresholding
(:func:`peql.baselines.sgtr.sgtr`, one support shared by every parameter value), and takes the best
single change (drop a term, add one, swap one for another) while BIC improves. On noisy data BIC
is what keeps noise from buying constants and small terms. A support whose terms cancel each
other (a term more than ``MAX_CANCELLATION`` times the target) is refused.
"""

from __future__ import annotations

from itertools import combinations_with_replacement
from typing import Sequence

import numpy as np
import sympy

from .readout import Readout, law_of
from .refit import split_lead

DEGREE = 3
RSS_FLOOR = 1e-6
MAX_CANDIDATES = 80
#: A support whose refit has a term larger than this many times the target (in L2 over a parameter
#: value's rows) is refused: its terms cancel each other, typically a sine in its linear range
#: against its argument and a cubic, which fits the training rows and nothing else.
MAX_CANCELLATION = 10.0


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


def _columns(terms: Sequence[sympy.Expr], r: Readout, input_names: Sequence[str],
             xs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Per parameter value, (n_p, len(terms)) values of every candidate at its inner numbers there."""
    slots = sorted(r.coefficients, key=lambda k: int(k[1:]))
    fn = sympy.lambdify([sympy.Symbol(n) for n in input_names] + [sympy.Symbol(k) for k in slots],
                        list(terms), modules="numpy")
    out = []
    for p, X in enumerate(xs):
        with np.errstate(all="ignore"):
            vals = fn(*np.asarray(X, float).T, *[float(r.coefficients[k][p]) for k in slots])
        out.append(np.stack([np.broadcast_to(np.asarray(v, float), (len(X),)) for v in vals], axis=1))
    return out


class _Scorer:
    """BIC of supports (boolean masks over the candidates), cached. A support is refitted by least
    squares at every parameter value at once, through the normal equations of unit-norm columns
    (one batched solve; the RSS floor is far above their round-off). A term's parameters are its
    leading coefficient and its inner numbers, at every parameter value."""

    def __init__(self, cols, ys, n_params: np.ndarray, floor: float):
        norms = np.sqrt(sum(np.sum(A**2, axis=0) for A in cols))
        self.norms = np.where(norms > 0, norms, 1.0)
        self.gram = np.stack([(A / self.norms).T @ (A / self.norms) for A in cols])
        self.rhs = np.stack([(A / self.norms).T @ y for A, y in zip(cols, ys)])
        self.yy_p = np.array([float(np.sum(y**2)) for y in ys])
        self.yy = float(self.yy_p.sum())
        self.n_params, self.floor = n_params, floor
        self.n = int(sum(len(y) for y in ys))
        self.cache: dict[bytes, tuple] = {}

    def __call__(self, support: np.ndarray) -> tuple[float, int, float]:
        """(BIC, parameters, RSS) of ``support``."""
        key = support.tobytes()
        if key not in self.cache:
            idx = np.flatnonzero(support)
            rss = self.yy
            if len(idx):
                g = self.gram[:, idx[:, None], idx]
                g = g + 1e-12 * np.eye(len(idx))
                c = np.linalg.solve(g, self.rhs[:, idx, None])[..., 0]
                rss = max(self.yy - float(np.sum(c * self.rhs[:, idx])), 0.0)
                # each term's contribution against the target, per parameter value
                size = np.abs(c) * np.sqrt(np.diagonal(g, axis1=1, axis2=2)) / np.sqrt(np.maximum(self.yy_p, 1e-300))[:, None]
            k = int(self.n_params[idx].sum()) * self.gram.shape[0]
            bic = self.n * np.log(max(rss, self.floor) / self.n) + k * np.log(self.n)
            if len(idx) and float(size.max()) > MAX_CANCELLATION:
                bic = np.inf   # terms that cancel each other: not a law, whatever it fits
            self.cache[key] = (round(float(bic), 6), k, rss)
        return self.cache[key]

    rank = __call__   # the order of supports: BIC, then fewer parameters, then lower RSS

    def coefficients(self, support: np.ndarray) -> np.ndarray:
        """(P, terms) coefficients of ``support`` in the data's units: the solution that was scored
        (and checked for cancelling terms), not a fresh one that could differ on near-collinear
        columns."""
        idx = np.flatnonzero(support)
        out = np.zeros((self.gram.shape[0], support.size))
        if len(idx):
            g = self.gram[:, idx[:, None], idx] + 1e-12 * np.eye(len(idx))
            out[:, idx] = np.linalg.solve(g, self.rhs[:, idx, None])[..., 0] / self.norms[idx]
        return out


def _stepwise(score: _Scorer, start: np.ndarray) -> np.ndarray:
    """From ``start``, take the best single change (drop a term, add one, or swap one for
    another) while it improves :meth:`_Scorer.rank`."""
    support, best = start.copy(), score.rank(start)
    while True:
        on, off = np.flatnonzero(support), np.flatnonzero(~support)
        moves = [([i], []) for i in on] + [([], [j]) for j in off] + [([i], [j]) for i in on for j in off]
        trial = None
        for drop, add in moves:
            s = support.copy()
            s[drop], s[add] = False, True
            if s.any() and score.rank(s) < best:
                trial, best = s, score.rank(s)
        if trial is None:
            return support
        support = trial


def select_support(r: Readout, xs: Sequence[np.ndarray], ys: Sequence[np.ndarray], input_names: Sequence[str],
                   threshold: float = 0.01, degree: int = DEGREE) -> tuple[Readout, dict]:
    """The read-out with the support the data choose (module docstring). Returns it and what
    changed: ``{"added": [...], "dropped": [...]}`` (terms without their leading slot)."""
    from ..baselines.sgtr import sgtr

    if len(xs) < 2:   # one group (a recurrent cell's heads, the latent an input): nothing is shared
        return r, {"added": [], "dropped": []}
    terms = candidates(r, input_names, degree)
    if len(terms) > MAX_CANDIDATES:   # many inputs: the read-out's terms and the linear monomials only
        terms = candidates(r, input_names, 1)
    own = len(own_terms(r))
    cols = _columns(terms, r, input_names, xs)
    ys = [np.asarray(y, float) for y in ys]
    n = int(sum(len(y) for y in ys))
    if not all(np.all(np.isfinite(c)) for c in cols) or n <= len(terms):
        return r, {"added": [], "dropped": []}
    n_params = np.array([1 + sum(1 for f in t.free_symbols if str(f) in r.coefficients) for t in terms])
    score = _Scorer(cols, ys, n_params, RSS_FLOOR * float(sum(np.sum(y**2) for y in ys)))
    current = np.arange(len(terms)) < own
    A = np.zeros((len(cols), max(len(y) for y in ys), len(terms)))
    b = np.zeros(A.shape[:2])
    for p, (c, y) in enumerate(zip(cols, ys)):
        A[p, :len(y)], b[p, :len(y)] = c, y
    path = [s for s in sgtr(A, b, n_rows=n).supports if s.any()]
    starts = [current, min([current, *path], key=score.rank)]
    support = min((_stepwise(score, s) for s in starts), key=score.rank)
    if np.array_equal(support, current):
        return r, {"added": [], "dropped": []}
    return _rebuild(r, terms, support, score.coefficients(support), input_names, threshold), {
        "added": [str(t) for t, k, c in zip(terms, support, current) if k and not c],
        "dropped": [str(t) for t, k, c in zip(terms, support, current) if c and not k]}


def _rebuild(r: Readout, terms, support: np.ndarray, coefs: np.ndarray, input_names, threshold: float) -> Readout:
    """A read-out of the kept terms: new leading slots c0, c1, ... with the least-squares values,
    the kept terms' inner slots renamed after them with their values."""
    kept = [k for k in range(len(terms)) if support[k]]
    inner = sorted({s for k in kept for s in terms[k].free_symbols if str(s) in r.coefficients},
                   key=lambda s: int(str(s)[1:]))
    rename = {s: sympy.Symbol(f"c{len(kept) + i}") for i, s in enumerate(inner)}
    coefficients = {f"c{i}": coefs[:, k].copy() for i, k in enumerate(kept)}
    coefficients.update({str(rename[s]): np.asarray(r.coefficients[str(s)], float).copy() for s in inner})
    skeleton = sympy.Add(*[sympy.Symbol(f"c{i}") * terms[k].xreplace(rename) for i, k in enumerate(kept)])
    exprs = law_of(skeleton, coefficients, input_names, r.scale, threshold)
    return Readout(str(skeleton), r.param_values, coefficients, exprs, r.n_live_weights, r.scale)
