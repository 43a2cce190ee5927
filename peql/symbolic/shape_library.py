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
#: The scan looks at this many evenly spaced parameter values at most: it only picks a start, which
#: the search tunes on every value (a field's 256 values would cost eight times as much).
SCAN_VALUES = 32


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
    # the scan only picks a start: evenly spaced parameter values, at most SCAN_VALUES of them
    chosen = np.unique(np.linspace(0, len(xs) - 1, min(len(xs), SCAN_VALUES)).round().astype(int))
    own_columns, xs_scan, ys = [own_columns[p] for p in chosen], [xs[p] for p in chosen], [ys[p] for p in chosen]
    bases = [_basis(A) for A in own_columns]
    residuals = [y - Q @ (Q.T @ y) for Q, y in zip(bases, ys)]
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
                factor = [np.ones(len(X)) if j is None else X[:, j] for X in xs_scan]
                best = _best_start(shape, grid, i, factor, bases, residuals, xs_scan)
                if best is not None:
                    terms.append(term)
                    values[str(slot)] = np.full(len(xs), best)
                    limits[str(slot)] = LIMIT / u_max
    return terms, values, limits


def _best_start(shape, grid: np.ndarray, i: int, factor, bases, residuals, xs) -> float | None:
    """The inner number of ``grid`` whose term (with its derivative in the inner number, one
    Gauss-Newton step) most reduces the residual of the own terms, summed over parameter values.
    ``bases[p]``: an orthonormal basis of the own terms' columns at value ``p``, ``residuals[p]``
    the target off their span; the new columns are projected off it too, so every grid value costs
    one 2x2 solve."""
    v = sympy.Symbol("v")
    f = sympy.lambdify(v, shape(v), modules="numpy")
    df = sympy.lambdify(v, sympy.diff(shape(v), v), modules="numpy")
    rss = np.zeros(len(grid))
    for Q, r0, X, w in zip(bases, residuals, xs, factor):
        u = X[:, i]
        with np.errstate(all="ignore"):
            arg = grid[:, None] * u[None, :]
            new = w[None, :, None] * np.stack([np.broadcast_to(f(arg), arg.shape),
                                               u[None, :] * np.broadcast_to(df(arg), arg.shape)], axis=-1)
        finite = np.all(np.isfinite(new), axis=(1, 2))
        new = np.where(finite[:, None, None], new, 0.0)
        new = new - np.einsum("nk,gkc->gnc", Q, np.einsum("nk,gnc->gkc", Q, new))   # (G, n, 2) off the span
        scale = np.sqrt(np.sum(new**2, axis=1, keepdims=True))
        new = new / np.where(scale > 0, scale, 1.0)
        b = np.einsum("gnc,n->gc", new, r0)
        gram = np.einsum("gnc,gnd->gcd", new, new) + 1e-10 * np.eye(2)
        explained = np.einsum("gc,gc->g", b, np.linalg.solve(gram, b[..., None])[..., 0])
        rss += np.where(finite, float(r0 @ r0) - explained, np.inf)
    return float(grid[int(np.argmin(rss))]) if np.isfinite(rss).any() else None


def _basis(A: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the span of ``A``'s columns (rank-revealing, so collinear own terms
    do not break the projection)."""
    if A.shape[1] == 0:
        return np.zeros((A.shape[0], 0))
    A = np.where(np.isfinite(A), A, 0.0)
    U, sv, _ = np.linalg.svd(A, full_matrices=False)
    return U[:, sv > sv.max(initial=0.0) * 1e-10] if sv.size else U[:, :0]
