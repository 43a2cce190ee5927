"""Term shapes the network did not propose, offered to the ``support`` step beside its own terms
and the monomials: ``sin(c*u)``, ``cos(c*u)`` and ``exp(c*u)`` of every input ``u``, alone and
times every input (``y*exp(c*x)``), each with one inner number of its own.

A network with a fixed set of primitives writes an exponential decay as a low-order polynomial
and misses a forcing term ``cos(z)`` whose input it never used; the group-sparse regression of the
support step can only keep a term it is offered. The inner number starts where the term explains
most of what the read-out's own terms leave, scanned over ``SCAN`` multiples of ``1 / max|u|``
(a fraction of a period to several periods over the data, a decay by a factor of up to ``e^10``;
rates of both signs for ``exp``), shared by every parameter value. The support step then tunes it
(its Gauss-Newton column and polish, within ``LIMIT``) and keeps the term only where BIC says the
data need it, at the price of two parameters per value, twice a monomial's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sympy

#: The shapes offered, each ``f(c*u)`` with ``c`` its inner number.
SHAPES = (sympy.sin, sympy.cos, sympy.exp)
#: Starting inner numbers scanned, in units of ``1 / max|u|``.
SCAN = np.geomspace(0.3, 10.0, 16)
#: The largest inner number a library term may take, in units of ``1 / max|u|``: beyond it a sine
#: has more periods than the rows can resolve and an exponential is a spike at one end of the data.
LIMIT = 3 * SCAN[-1]


def _key(term: sympy.Expr, slots: set[str]) -> str:
    """A term's shape with its slots replaced by one placeholder (``sin(c3*x)`` -> ``sin(_c*x)``)."""
    c = sympy.Symbol("_c")
    return sympy.srepr(term.xreplace({s: c for s in term.free_symbols if str(s) in slots}))


def library_terms(own: Sequence[sympy.Expr], own_columns: Sequence[np.ndarray], slots: set[str], first_slot: int,
                  input_names: Sequence[str], xs: Sequence[np.ndarray], ys: Sequence[np.ndarray],
                  with_products: bool = True) -> tuple[list[sympy.Expr], dict[str, np.ndarray], dict[str, float]]:
    """The library's terms the read-out lacks, with new inner slots ``c{first_slot}``, ... and their
    starting values per parameter value; and per new slot the largest size it may take (``LIMIT``).

    Args:
        own: the read-out's terms without their leading slot; ``slots``: the read-out's slot names.
        own_columns: per parameter value, (n_p, len(own)) values of ``own``.
        xs, ys: inputs and targets per parameter value.
        with_products: also every shape times every input (``y*exp(c*x)``).
    """
    have = {_key(t, slots) for t in own}
    symbols = [sympy.Symbol(n) for n in input_names]
    terms, values, limits = [], {}, {}
    for i, u in enumerate(symbols):
        u_max = max(float(np.max(np.abs(X[:, i]))) for X in xs)
        if not u_max > 0:
            continue
        for shape in SHAPES:
            grid = SCAN / u_max
            grid = np.concatenate([-grid[::-1], grid]) if shape is sympy.exp else grid
            for j in [None, *range(len(symbols))] if with_products else [None]:
                slot = sympy.Symbol(f"c{first_slot + len(terms)}")
                term = shape(slot * u) * (1 if j is None else symbols[j])
                if _key(term, slots | {str(slot)}) in have:
                    continue
                factor = [np.ones(len(X)) if j is None else X[:, j] for X in xs]
                best = _best_start(shape, grid, i, factor, own_columns, xs, ys)
                if best is not None:
                    terms.append(term)
                    values[str(slot)] = np.full(len(xs), best)
                    limits[str(slot)] = LIMIT / u_max
    return terms, values, limits


def _best_start(shape, grid: np.ndarray, i: int, factor, own_columns, xs, ys) -> float | None:
    """The inner number of ``grid`` whose term (with its derivative in the inner number, one
    Gauss-Newton step) most reduces the residual of the own terms, summed over parameter values."""
    f = sympy.lambdify(sympy.Symbol("v"), shape(sympy.Symbol("v")), modules="numpy")
    df = sympy.lambdify(sympy.Symbol("v"), sympy.diff(shape(sympy.Symbol("v")), sympy.Symbol("v")), modules="numpy")
    rss = np.zeros(len(grid))
    for A, X, y, w in zip(own_columns, xs, ys, factor):
        u = X[:, i]
        with np.errstate(all="ignore"):
            v = grid[:, None] * u[None, :]
            new = w[None, :, None] * np.stack([np.broadcast_to(f(v), v.shape),
                                               u[None, :] * np.broadcast_to(df(v), v.shape)], axis=-1)
        for g in range(len(grid)):
            M = np.concatenate([A, new[g]], axis=1)
            if not np.all(np.isfinite(M)):
                rss[g] = np.inf
                continue
            M = M / np.where(np.linalg.norm(M, axis=0) > 0, np.linalg.norm(M, axis=0), 1.0)
            coef, *_ = np.linalg.lstsq(M, y, rcond=None)
            rss[g] += float(np.sum((y - M @ coef) ** 2))
    return float(grid[int(np.argmin(rss))]) if np.isfinite(rss).any() else None
