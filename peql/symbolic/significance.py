"""When a term of a law matters (DESIGN section 6b). Terms of one shape are the same term only when
their inner numbers agree within 2 % (a unit split in two); same terms are merged first. A term is
*significant* at a parameter value when the root-mean-square of its contribution over that
parameter value's training inputs is at least ``rel`` (1 %) of the RMS of the target there. Where the target itself (nearly) vanishes, as
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


#: Terms of one shape are one term when their inner numbers agree within 2 % (a unit split in two),
#: or within 0.02 absolute for numbers near zero.
SAME_TERM_RTOL, SAME_TERM_ATOL = 0.02, 0.02


def same_inner(a: Sequence[float], b: Sequence[float]) -> bool:
    """Whether two terms of one shape have the same inner numbers (DESIGN 6b)."""
    return len(a) == len(b) and all(abs(x - y) <= max(SAME_TERM_RTOL * max(abs(x), abs(y)), SAME_TERM_ATOL)
                                    for x, y in zip(a, b))


def merged_terms(expr) -> list[tuple]:
    """The additive terms of ``expr`` with the same terms merged (DESIGN 6b): terms of one shape
    whose inner numbers agree (:func:`same_inner`) are one term, their leading coefficients added.
    Returns (term, shape, leading coefficient, inner numbers) per distinct term, the inner numbers
    of its largest part."""
    groups: list[list] = []   # [term, shape, lead, inner, |lead| of the representative]
    for term in additive_terms(_as_expr(expr)):
        if term == 0:
            continue
        shape, lead, inner = decompose(term)
        for g in groups:
            if g[1] == shape and same_inner(g[3], inner):
                g[0], g[2] = g[0] + term, g[2] + lead
                if abs(lead) > g[4]:
                    g[3], g[4] = inner, abs(lead)
                break
        else:
            groups.append([term, shape, lead, inner, abs(lead)])
    return [(g[0], g[1], g[2], g[3]) for g in groups]


def significant_terms(expr, X: np.ndarray, input_names: Sequence[str], reference_rms: float,
                      rel: float = REL_SIGNIFICANCE) -> list[tuple]:
    """The significant terms of ``expr`` on inputs ``X`` (rows, one column per input name), the
    same terms merged first (:func:`merged_terms`): a list of (term, shape, leading coefficient,
    inner numbers, rms contribution)."""
    symbols = [sympy.Symbol(n) for n in input_names]
    terms = merged_terms(expr)
    rms = _term_rms([t for t, *_ in terms], symbols, X)
    return [(term, shape, lead, inner, r) for (term, shape, lead, inner), r in zip(terms, rms)
            if r >= rel * reference_rms and r > 0]


def reference_rms(targets: Sequence[np.ndarray]) -> np.ndarray:
    """Per parameter value: the target's RMS, floored at 5 % of the median over values."""
    rms = np.array([np.sqrt(np.mean(np.square(y))) if len(y) else 0.0 for y in targets])
    return np.maximum(rms, FLOOR_OF_MEDIAN * np.median(rms))
