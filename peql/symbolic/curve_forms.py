"""The catalogue of simple curve forms that the closed-form search (:mod:`peql.symbolic.closed_form`)
fits to a coefficient curve c(t).

Every form is a formula with a few named constants. Constants that enter linearly are solved by
least squares; the others (a frequency, a rate, a jump or kink position) are found by scanning a
grid that is scaled to the curve's own span and sampling step, so forms behave the same whether
t runs over [-3, 3] or [1990, 2020]. The scan winners are polished with
:func:`scipy.optimize.least_squares`. Jump positions stay where the scan put them: a step has no
useful gradient in its position.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import sympy

#: Constant kinds decide which "nice" values a constant may be snapped to (see closed_form).
VALUE, RATE, ANGLE, POSITION = "value", "rate", "angle", "position"

_SCAN_KEEP = 3          # scan winners polished per form
_MAX_KINK_CANDIDATES = 48


@dataclass(frozen=True)
class Form:
    """One family of curves.

    Attributes:
        name: short name reported in the results (``linear``, ``sine``, ...).
        constants: names of the constants, in the order of the parameter vector.
        kinds: per constant, what it is (value, rate, angle, position); decides its snapping.
        scanned: per constant, True when it is found by a scan and held fixed when polishing.
        evaluate: ``evaluate(t, p) -> c``, vectorised over ``t``.
        expression: ``expression(p, t_symbol) -> sympy.Expr`` (``p`` holds SymPy numbers).
        starts: ``starts(t, c) -> [p, ...]``, starting points for the polish (scan winners).
    """

    name: str
    constants: tuple[str, ...]
    kinds: tuple[str, ...]
    scanned: tuple[bool, ...]
    evaluate: Callable[[np.ndarray, np.ndarray], np.ndarray]
    expression: Callable[[Sequence, sympy.Symbol], sympy.Expr]
    starts: Callable[[np.ndarray, np.ndarray], list[np.ndarray]]


def _lstsq(cols: Sequence[np.ndarray], c: np.ndarray) -> tuple[np.ndarray, float]:
    A = np.stack([np.broadcast_to(col, c.shape) for col in cols], axis=1)
    coef, *_ = np.linalg.lstsq(A, c, rcond=None)
    return coef, float(np.sum((A @ coef - c) ** 2))


def _best(candidates: list[tuple[float, np.ndarray]]) -> list[np.ndarray]:
    candidates.sort(key=lambda rc: rc[0])
    return [p for _, p in candidates[:_SCAN_KEEP]]


def _span(t: np.ndarray) -> float:
    return float(np.ptp(t)) or 1.0


def _step(t: np.ndarray) -> float:
    d = np.diff(np.unique(t))
    return float(np.median(d)) if len(d) else 1.0


# --- polynomials ----------------------------------------------------------------------------------

def _poly(degree: int) -> Form:
    def evaluate(t, p):
        return np.polynomial.polynomial.polyval(t, p)

    def expression(p, t):
        return sum((p[k] * t**k for k in range(degree + 1)), sympy.Integer(0))

    def starts(t, c):
        # Fit in a scaled domain (well conditioned for any t range), then convert to raw t.
        p = np.zeros(degree + 1)
        if len(np.unique(t)) > degree:
            coef = np.polynomial.Polynomial.fit(t, c, degree).convert().coef  # may drop zero terms
            p[: len(coef)] = coef
        return [p]

    names = ("a", "b", "c", "d")[: degree + 1]
    label = ("constant", "linear", "quadratic", "cubic")[degree]
    return Form(label, names, (VALUE,) * (degree + 1), (False,) * (degree + 1), evaluate, expression, starts)


# --- a + b sgn(t - t0) ----------------------------------------------------------------------------

def _sign_starts(t, c):
    u = np.unique(t)
    # The jump may sit between two sampled values or exactly on one (where sgn is 0).
    positions = np.concatenate([u, (u[1:] + u[:-1]) / 2])
    out = []
    for t0 in positions:
        s = np.sign(t - t0)
        if np.all(s == s[0]):
            continue
        (a, b), rss = _lstsq([np.ones_like(t), s], c)
        out.append((rss, np.array([a, b, t0])))
    return _best(out)


SIGN = Form("sign", ("a", "b", "t0"), (VALUE, VALUE, POSITION), (False, False, True),
            lambda t, p: p[0] + p[1] * np.sign(t - p[2]),
            lambda p, t: p[0] + p[1] * sympy.sign(t - p[2]), _sign_starts)


# --- a + b sin(w t + phi) -------------------------------------------------------------------------

def _sine_starts(t, c):
    span, step = _span(t), _step(t)
    w_lo, w_hi = 0.5 * math.pi / span, math.pi / step  # half a period over the span .. Nyquist
    ws = np.arange(w_lo, w_hi, (2 * math.pi / span) / 8)
    out = []
    for w in ws:
        (a, p, q), rss = _lstsq([np.ones_like(t), np.sin(w * t), np.cos(w * t)], c)
        out.append((rss, np.array([a, math.hypot(p, q), w, math.atan2(q, p)])))
    return _best(out)


SINE = Form("sine", ("a", "b", "w", "phi"), (VALUE, VALUE, RATE, ANGLE), (False,) * 4,
            lambda t, p: p[0] + p[1] * np.sin(p[2] * t + p[3]),
            lambda p, t: p[0] + p[1] * sympy.sin(p[2] * t + p[3]), _sine_starts)


# --- a + b exp(k t) -------------------------------------------------------------------------------

def _exp_starts(t, c):
    span, reach = _span(t), float(np.max(np.abs(t)))
    out = []
    for u in np.concatenate([np.linspace(-8, -0.25, 32), np.linspace(0.25, 8, 32)]):
        k = u / span
        if abs(k) * reach > 50:  # exp would overflow the useful float range
            continue
        (a, b), rss = _lstsq([np.ones_like(t), np.exp(k * t)], c)
        out.append((rss, np.array([a, b, k])))
    return _best(out)


EXP = Form("exp", ("a", "b", "k"), (VALUE, VALUE, RATE), (False,) * 3,
           lambda t, p: p[0] + p[1] * np.exp(np.clip(p[2] * t, -700, 700)),
           lambda p, t: p[0] + p[1] * sympy.exp(p[2] * t), _exp_starts)


# --- piecewise linear: a + b t + c max(0, t - t0) [+ d max(0, t - t1)] ------------------------------

def _kink_positions(t: np.ndarray) -> np.ndarray:
    u = np.unique(t)
    inner = u[1:-1] if len(u) > 4 else u[:0]  # a kink at an end point is just a line
    if len(inner) > _MAX_KINK_CANDIDATES:
        inner = inner[np.linspace(0, len(inner) - 1, _MAX_KINK_CANDIDATES).round().astype(int)]
    return inner


def _kink_starts(t, c):
    out = []
    for t0 in _kink_positions(t):
        coef, rss = _lstsq([np.ones_like(t), t, np.maximum(0, t - t0)], c)
        out.append((rss, np.array([*coef, t0])))
    return _best(out)


def _two_kink_starts(t, c):
    pos = _kink_positions(t)
    out = []
    for i, t0 in enumerate(pos):
        for t1 in pos[i + 1:]:
            coef, rss = _lstsq([np.ones_like(t), t, np.maximum(0, t - t0), np.maximum(0, t - t1)], c)
            out.append((rss, np.array([coef[0], coef[1], coef[2], t0, coef[3], t1])))
    return _best(out)


KINK = Form("kink", ("a", "b", "c", "t0"), (VALUE, VALUE, VALUE, POSITION), (False,) * 4,
            lambda t, p: p[0] + p[1] * t + p[2] * np.maximum(0, t - p[3]),
            lambda p, t: p[0] + p[1] * t + p[2] * sympy.Max(0, t - p[3]), _kink_starts)

TWO_KINKS = Form("two_kinks", ("a", "b", "c", "t0", "d", "t1"),
                 (VALUE, VALUE, VALUE, POSITION, VALUE, POSITION), (False,) * 6,
                 lambda t, p: p[0] + p[1] * t + p[2] * np.maximum(0, t - p[3]) + p[4] * np.maximum(0, t - p[5]),
                 lambda p, t: (p[0] + p[1] * t + p[2] * sympy.Max(0, t - p[3])
                               + p[4] * sympy.Max(0, t - p[5])), _two_kink_starts)

#: Every form the search tries, roughly from simple to complex (the order breaks exact ties).
FORMS: tuple[Form, ...] = (_poly(0), _poly(1), SIGN, _poly(2), EXP, SINE, KINK, _poly(3), TWO_KINKS)
