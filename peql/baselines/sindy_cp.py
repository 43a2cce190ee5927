"""SINDy-CP: one PySINDy regression over all parameter values with a parameterised library,
``ParameterizedLibrary(parameter basis, feature library)``: every library term times every basis
function of the parameter. The parameter enters as the last control column. A coefficient curve
is then a formula, ``c(t) = sum_k xi_k b_k(t)``, written to the document's ``closed_form``.

It is exact when the basis contains the true dependence ({1, sin t, cos t} for Burgers) and
misleading when it does not (a cubic-in-t basis gives a 23-term wrong Burgers model): the user
has to guess the basis. Setting ``basis``:

* ``"polynomial"``: 1, t, ..., t**basis_degree (default degree 1, PySINDy's default parameter
  library);
* ``"fourier"``: 1, sin(t), cos(t), ..., sin(n t), cos(n t) with n = ``n_frequencies``;
* a list of SymPy strings in the parameter name, e.g. ``["1", "sin(t)", "cos(t)"]`` (on the
  command line ``--set 'basis=["1","sin(t)","cos(t)"]'`` or ``--set 'basis=1,sin(t),cos(t)'``).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import sympy

from .base import Baseline, BaselineFit, require_pysindy
from .document import linear_expression
from .groups import group_by
from .library import LIBRARIES
from .sindy import SINDY_DEFAULTS, check_stlsq, fit_pysindy
from .sindy_library import column_order, parse_sindy_name, sindy_library

BASES = ("polynomial", "fourier")


def split_terms(text: str) -> list[str]:
    """``"1,sin(t),atan2(t, 2)"`` -> ``["1", "sin(t)", "atan2(t, 2)"]`` (commas inside brackets kept)."""
    out, depth, current = [], 0, ""
    for ch in text:
        depth += ch in "(["
        depth -= ch in ")]"
        if ch == "," and depth == 0:
            out.append(current.strip())
            current = ""
        else:
            current += ch
    out.append(current.strip())
    return [t for t in out if t]


def basis_terms(settings: Mapping[str, Any], param_name: str) -> list[sympy.Expr]:
    """The parameter basis as SymPy expressions in the parameter.

    Raises:
        ValueError: a user term that does not parse, uses a symbol other than the parameter, or
            repeats another term.
    """
    t = sympy.Symbol(param_name)
    basis = settings["basis"]
    if basis == "polynomial":
        return [t**k for k in range(settings["basis_degree"] + 1)]
    if basis == "fourier":
        waves = [f(k * t) for k in range(1, settings["n_frequencies"] + 1) for f in (sympy.sin, sympy.cos)]
        return [sympy.Integer(1), *waves]
    out = []
    for text in basis:
        try:
            expr = sympy.sympify(text, locals={param_name: t})
        except (sympy.SympifyError, SyntaxError, TypeError) as exc:
            raise ValueError(f"baseline 'sindy_cp': basis term {text!r} does not parse: {exc}") from None
        stray = sorted(map(str, expr.free_symbols - {t}))
        if stray:
            raise ValueError(f"baseline 'sindy_cp': basis term {text!r} uses {stray}; basis terms "
                             f"may only use the parameter {param_name!r}")
        if expr in out:
            raise ValueError(f"baseline 'sindy_cp': basis term {text!r} repeats an earlier term")
        out.append(expr)
    return out


def _basis_name(expr: sympy.Expr) -> str:
    """Text of a basis function that stays one factor after ``number*`` (sums get brackets)."""
    text = str(expr)
    return f"({text})" if expr.is_Add else text


def _column_function(f):
    """A one-argument library function: PySINDy reads the arity from ``__code__.co_argcount``,
    so no default-argument binding, and constants must come back as a full column."""
    def column(p):
        return np.broadcast_to(np.asarray(f(p), dtype=float), np.shape(p)) * 1.0
    return column


def _placeholder(k: int):
    def name(_feature: str) -> str:
        return f"__b{k}"
    return name


def _fit(x: np.ndarray, y: np.ndarray, param: np.ndarray, input_names: Sequence[str],
         param_name: str, settings: Mapping[str, Any]) -> BaselineFit:
    ps = require_pysindy()
    basis = basis_terms(settings, param_name)
    t = sympy.Symbol(param_name)
    funcs = [sympy.lambdify(t, b, modules="numpy") for b in basis]
    # The placeholder names __b<k> let PySINDy's combined column names be parsed back
    # unambiguously, whatever text the basis functions have.
    param_lib = ps.CustomLibrary(library_functions=[_column_function(f) for f in funcs],
                                 function_names=[_placeholder(k) for k in range(len(basis))])
    lib = sindy_library(ps, input_names, settings["library"], settings["degree"])
    library = ps.ParameterizedLibrary(parameter_library=param_lib, feature_library=lib.make(),
                                      num_parameters=1, num_features=len(lib.columns))
    names = [input_names[i] for i in lib.columns] + [param_name]
    row, sindy_names = fit_pysindy(ps, library, x[:, lib.columns], y, param, names, settings)

    xi = np.zeros((len(basis), len(lib.terms)))  # basis function x library term
    for k in range(len(basis)):
        cols = [i for i, n in enumerate(sindy_names) if n.split()[0] == f"__b{k}"]
        parsed = [parse_sindy_name(" ".join(sindy_names[i].split()[1:])) for i in cols]
        xi[k] = row[cols][column_order(parsed, lib.terms, input_names)]

    values = group_by(param).values
    B = np.stack([np.broadcast_to(np.asarray(f(values), dtype=float), values.shape) for f in funcs], axis=1)
    coef = B @ xi
    # A term whose basis coefficients are all zero is exactly zero at every value.
    coef[:, ~np.any(xi != 0, axis=0)] = 0.0
    basis_names = [_basis_name(b) for b in basis]
    closed = {term.name: linear_expression(basis_names, xi[:, j])
              for j, term in enumerate(lib.terms) if np.any(xi[:, j] != 0)}
    return BaselineFit([term.name for term in lib.terms], values, coef, closed_form=closed)


def _check(settings: dict[str, Any]) -> dict[str, Any]:
    check_stlsq("sindy_cp", settings)
    basis = settings["basis"]
    if isinstance(basis, str) and basis not in BASES:
        basis = split_terms(basis)  # user terms given as one comma-separated string
    if isinstance(basis, (list, tuple)):
        if not basis or not all(isinstance(b, str) and b.strip() for b in basis):
            raise ValueError(f"baseline 'sindy_cp': setting basis={settings['basis']!r} must be "
                             f"{' or '.join(map(repr, BASES))} or a non-empty list of SymPy strings")
        basis = [b.strip() for b in basis]
    elif not isinstance(basis, str):
        raise ValueError(f"baseline 'sindy_cp': setting basis={basis!r} must be "
                         f"{' or '.join(map(repr, BASES))} or a list of SymPy strings")
    if settings["basis_degree"] < 0 or settings["n_frequencies"] < 1:
        raise ValueError(f"baseline 'sindy_cp': settings basis_degree={settings['basis_degree']} "
                         f"(>= 0) and n_frequencies={settings['n_frequencies']} (>= 1) out of range")
    return {**settings, "basis": basis}


SINDY_CP = Baseline(
    "sindy_cp", "PySINDy with a parameterised library (SINDy-CP): library terms times a basis in the parameter",
    {**SINDY_DEFAULTS, "basis": "polynomial", "basis_degree": 1, "n_frequencies": 1},
    _fit, choices={"library": LIBRARIES}, check=_check, setup=require_pysindy)
