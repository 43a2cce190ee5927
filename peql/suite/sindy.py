"""The PySINDy baseline of the generalisation suite. Its protocol is FROZEN: do not tune it on
the suite (that would make the baseline column meaningless).

Protocol, for every problem (notes research-22, sections 2.1-2.3 and the recommended protocol):

* Library: PySINDy's ``PolynomialLibrary(degree=3)`` (with the constant) plus
  ``FourierLibrary(n_frequencies=2)`` (sin and cos of 1x and 2x of every input), on all inputs.
* Optimiser: ``STLSQ(alpha=0, max_iter=50, normalize_columns=True)`` (unbiased refit of the
  support, PySINDy's default). Columns are normalised to unit norm so that one threshold means
  the same at every input scale: a coefficient is then a term's L2 contribution to the target.
* Threshold: chosen separately for every equation (every fit) by BIC,
  ``n log(RSS / n) + k log(n)`` with ``k`` the nonzero coefficients, over 30 thresholds
  log-spaced from 1e-4 to 1 times the L2 norm of the fit's target. RSS is floored at
  ``1e-12 sum(y^2)`` so that exact (noise-free) data do not reward round-off; ties go to the
  sparser model (the larger threshold). AIC overfits (research-22, section 2.2); nothing like this
  is built into PySINDy.
* :func:`run_sindy`: one fit per parameter value on that value's training rows (for scattered
  values, per bin of :meth:`~peql.suite.problems.ProblemData.groups`).
* :func:`run_sindy_cp`: SINDy-CP, one fit on all training rows with
  ``ParameterizedLibrary(parameter_library=PolynomialLibrary(degree=2), feature_library=<the
  library above>)``: every term's coefficient is a quadratic in t. It applies to gridded t only;
  the law at each value is the fit with t substituted.

Both return ``{"expressions": {t_value: law string in the input names}, "wall_time_s": ...}``
(plus the chosen thresholds), to be scored by :func:`peql.suite.score.score_expressions`.
"""

from __future__ import annotations

import re
import time
import warnings

import numpy as np
import sympy

from .problems import ProblemData

POLY_DEGREE = 3
FOURIER_FREQUENCIES = 2
CP_PARAMETER_DEGREE = 2
N_THRESHOLDS = 30
THRESHOLD_SPAN = (1e-4, 1.0)   # times the L2 norm of the target
RSS_FLOOR = 1e-12              # times sum(y^2)
MAX_ITER = 50


def _library(ps):
    return ps.PolynomialLibrary(degree=POLY_DEGREE, include_bias=True) + ps.FourierLibrary(
        n_frequencies=FOURIER_FREQUENCIES)


def term_expression(name: str, symbols: dict[str, sympy.Symbol]) -> sympy.Expr:
    """A PySINDy feature name as SymPy: ``"x^2 y"`` -> x**2*y, ``"sin(2 x)"`` -> sin(2*x),
    ``"t 1"`` / ``"t^2 cos(1 y)"`` (ParameterizedLibrary: parameter term, then feature term)."""
    text = re.sub(r"(sin|cos)\((\d+) (\w+)\)", r"\1(\2*\3)", name.strip())
    text = text.replace("^", "**").replace(" ", "*")
    return sympy.parse_expr(text, local_dict=dict(symbols))


def _stlsq(ps, theta: np.ndarray, y: np.ndarray, threshold: float, guess: np.ndarray) -> np.ndarray:
    opt = ps.STLSQ(threshold=threshold, alpha=0.0, max_iter=MAX_ITER, normalize_columns=True,
                   initial_guess=guess)
    with warnings.catch_warnings():
        # Expected outcomes on the threshold path, not errors: every coefficient under the
        # threshold ("Sparsity parameter is too big"), a loop that stops at max_iter, and
        # ill-conditioned least squares on correlated library columns.
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            opt.fit(theta, y[:, None])
    return np.nan_to_num(np.asarray(opt.coef_)[0])


def bic_fit(ps, theta: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """STLSQ coefficients at the BIC-best threshold of the frozen grid, and that threshold."""
    n = len(y)
    floor = RSS_FLOOR * float(np.sum(y ** 2))
    # STLSQ's own start, the least squares on unit-norm columns, computed once instead of at
    # every threshold (the same numbers; on ill-conditioned libraries it dominated the run time).
    with np.errstate(all="ignore"):
        normed = theta / np.linalg.norm(theta, axis=0)
        guess = np.linalg.lstsq(normed, y[:, None], rcond=None)[0].T
    best = (np.inf, np.zeros(theta.shape[1]), 0.0)
    # Scan from the largest threshold down so that a tie keeps the sparser model.
    for th in np.linalg.norm(y) * np.logspace(np.log10(THRESHOLD_SPAN[1]), np.log10(THRESHOLD_SPAN[0]), N_THRESHOLDS):
        coef = _stlsq(ps, theta, y, th, guess)
        rss = max(float(np.sum((y - theta @ coef) ** 2)), floor, 1e-300)
        k = int(np.count_nonzero(coef))
        bic = n * np.log(rss / n) + k * np.log(n)
        if bic < best[0] - 1e-9:
            best = (bic, coef, float(th))
    return best[1], best[2]


def _law(coef: np.ndarray, terms: list[sympy.Expr]) -> sympy.Expr:
    return sympy.Add(*[sympy.Float(float(c), 8) * term for c, term in zip(coef, terms) if c != 0.0])


def run_sindy(data: ProblemData) -> dict:
    """PySINDy per parameter value (module docstring): one BIC-thresholded STLSQ fit on every
    value's training rows. Returns ``{"expressions": {t: law}, "thresholds": {t: th},
    "wall_time_s": s}``."""
    import pysindy as ps

    start = time.perf_counter()
    symbols = {n: sympy.Symbol(n) for n in data.input_names}
    expressions, thresholds = {}, {}
    for value, rows in data.groups():
        rows = rows & data.train
        lib = _library(ps)
        theta = np.asarray(lib.fit_transform(data.X[rows]), dtype=float)
        terms = [term_expression(n, symbols) for n in lib.get_feature_names(data.input_names)]
        coef, thresholds[value] = bic_fit(ps, theta, data.y[rows])
        expressions[value] = str(_law(coef, terms))
    return {"expressions": expressions, "thresholds": thresholds, "wall_time_s": time.perf_counter() - start}


def run_sindy_cp(data: ProblemData) -> dict:
    """SINDy-CP (module docstring): one BIC-thresholded STLSQ fit of a ParameterizedLibrary on all
    training rows, the law at every parameter value with t substituted. Returns the shape of
    :func:`run_sindy` (one threshold), or ``{"applicable": False}`` for scattered t."""
    import pysindy as ps

    if data.scattered:
        return {"applicable": False, "reason": "SINDy-CP is run on gridded parameter values only"}
    start = time.perf_counter()
    d = len(data.input_names)
    lib = ps.ParameterizedLibrary(parameter_library=ps.PolynomialLibrary(degree=CP_PARAMETER_DEGREE),
                                  feature_library=_library(ps), num_parameters=1, num_features=d)
    rows = data.train
    theta = np.asarray(lib.fit_transform(np.column_stack([data.X[rows], data.t[rows]])), dtype=float)
    symbols = {n: sympy.Symbol(n) for n in data.input_names} | {"t": sympy.Symbol("t")}
    terms = [term_expression(n, symbols) for n in lib.get_feature_names(list(data.input_names) + ["t"])]
    coef, threshold = bic_fit(ps, theta, data.y[rows])
    law = _law(coef, terms)
    expressions = {value: str(sympy.expand(law.subs(symbols["t"], value))) for value, _ in data.groups()}
    return {"expressions": expressions, "law": str(law), "threshold": threshold,
            "wall_time_s": time.perf_counter() - start}
