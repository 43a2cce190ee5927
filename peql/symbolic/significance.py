"""When a term of a law matters (DESIGN section 6b): a term is *significant* at a parameter value
when the root-mean-square of its contribution over that parameter value's training inputs is at
least ``rel`` (1 %) of the RMS of the target there. Where the target itself (nearly) vanishes, as
at t = 0 for ``t*x``, the reference RMS is floored at 5 % of the median target RMS over all
parameter values, so that round-off terms at a degenerate parameter value do not decide.

The read-out's pruning and the structure verdict (:mod:`peql.evaluate.rule`) use the same rule.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import sympy

from .shapes import additive_terms, decompose

REL_SIGNIFICANCE = 0.01
FLOOR_OF_MEDIAN = 0.05


def _as_expr(e):
    return sympy.sympify(e) if isinstance(e, str) else e


def _term_rms(terms, symbols, X: np.ndarray) -> np.ndarray:
    """RMS over the rows of X of each term's value."""
    if not terms:
        return np.zeros(0)
    fn = sympy.lambdify(symbols, list(terms), modules="numpy")
    with np.errstate(all="ignore"):
        vals = fn(*[X[:, i] for i in range(X.shape[1])])
    out = np.empty(len(terms))
    for i, v in enumerate(vals):
        v = np.broadcast_to(np.asarray(v, dtype=float), (X.shape[0],))
        out[i] = np.sqrt(np.mean(v * v)) if np.all(np.isfinite(v)) else np.inf
    return out


def significant_terms(expr, X: np.ndarray, input_names: Sequence[str], reference_rms: float,
                      rel: float = REL_SIGNIFICANCE) -> list[tuple]:
    """The significant terms of ``expr`` on inputs ``X`` (rows, one column per input name):
    a list of (term, shape, leading coefficient, inner slots, rms contribution)."""
    expr = _as_expr(expr)
    symbols = [sympy.Symbol(n) for n in input_names]
    terms = [t for t in additive_terms(expr) if t != 0]
    rms = _term_rms(terms, symbols, X)
    out = []
    for term, r in zip(terms, rms):
        if r >= rel * reference_rms and r > 0:
            shape, lead, inner = decompose(term)
            out.append((term, shape, lead, inner, r))
    return out


def reference_rms(targets: Sequence[np.ndarray]) -> np.ndarray:
    """Per parameter value: the target's RMS, floored at 5 % of the median over values."""
    rms = np.array([np.sqrt(np.mean(np.square(y))) if len(y) else 0.0 for y in targets])
    return np.maximum(rms, FLOOR_OF_MEDIAN * np.median(rms))
