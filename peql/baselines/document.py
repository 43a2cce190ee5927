"""A baseline's result as the ``equations.json`` document of DESIGN section 6, with exactly the keys
the network pipeline writes, so ``peql evaluate`` and the report score it with no special case."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

SIGNIFICANT_DIGITS = 6


@dataclass
class BaselineFit:
    """What a baseline's ``fit`` returns.

    Attributes:
        terms: library term names, SymPy strings in the input names (``"1"``, ``"u*u_x"``).
        param_values: (P,) sorted distinct parameter values.
        coefficients: (P, len(terms)) coefficient of every term at every parameter value
            (exact zeros where a term is not in the model).
        closed_form: coefficient curves as formulas in the parameter, keyed by library term name
            (SINDy-CP finds these); the document re-keys them by coefficient symbol.
    """

    terms: Sequence[str]
    param_values: np.ndarray
    coefficients: np.ndarray
    closed_form: Mapping[str, str] = field(default_factory=dict)


def format_number(value: float) -> str:
    """``value`` rounded to 6 significant digits, as SymPy-parsable text (``-0.9996``, ``1e-07``)."""
    return f"{float(value):.{SIGNIFICANT_DIGITS}g}"


def linear_expression(terms: Sequence[str], coefficients: Sequence[float]) -> str:
    """``sum_j c_j * term_j`` over the nonzero coefficients, e.g. ``-0.9996*u*u_x + 0.1*u_xx``.

    Args:
        terms: term names (SymPy strings; ``"1"`` is the constant).
        coefficients: one coefficient per term; exact zeros are left out.
    """
    out = ""
    for term, c in zip(terms, coefficients):
        if c == 0:
            continue
        number = format_number(abs(c))
        piece = number if term == "1" else f"{number}*{term}"
        if not out:
            out = f"-{piece}" if c < 0 else piece
        else:
            out += f" - {piece}" if c < 0 else f" + {piece}"
    return out or "0"


def equations_document(fit: BaselineFit, *, name: str, input_names: Sequence[str], param_name: str,
                       settings: Mapping[str, Any], wall_time_s: float) -> dict[str, Any]:
    """The equations document of a baseline fit.

    The skeleton gives a coefficient symbol ``c0, c1, ...`` to every library term that is nonzero
    at some parameter value, in library order; ``coefficients`` lists each symbol's value at every
    parameter value (0 where that value's model leaves the term out); ``equations`` holds one
    expression per parameter value, numbers rounded to 6 significant digits.

    Raises:
        ValueError: the fit's arrays disagree in shape or hold NaN/inf.
    """
    terms = list(fit.terms)
    values = np.asarray(fit.param_values, dtype=np.float64)
    coef = np.asarray(fit.coefficients, dtype=np.float64)
    if coef.shape != (len(values), len(terms)):
        raise ValueError(f"baseline {name!r} returned coefficients of shape {coef.shape}, expected "
                         f"({len(values)} parameter values, {len(terms)} terms)")
    if not np.isfinite(coef).all():
        raise ValueError(f"baseline {name!r} produced NaN/inf coefficients (an ill-conditioned "
                         "library? try a smaller degree or a larger ridge/alpha)")
    order = np.argsort(values, kind="stable")
    values, coef = values[order], coef[order]
    used = np.flatnonzero(np.any(coef != 0, axis=0))
    symbols = {int(j): f"c{i}" for i, j in enumerate(used)}
    skeleton = " + ".join(s if terms[j] == "1" else f"{s}*{terms[j]}"
                          for j, s in symbols.items()) or "0"
    closed = {symbols[terms.index(t)]: str(f) for t, f in fit.closed_form.items()
              if t in terms and terms.index(t) in symbols}
    return {
        "parameter": param_name,
        "inputs": list(input_names),
        "architecture": name,
        "method_kind": "baseline",
        "selected_trial": None,
        "skeleton": skeleton,
        "equations": [{"param": float(p), "expression": linear_expression(terms, row)}
                      for p, row in zip(values, coef)],
        "coefficients": {"param": values.tolist(),
                         **{s: coef[:, j].tolist() for j, s in symbols.items()}},
        "closed_form": closed,
        "readout": {"steps": [], "fit": f"{name}'s own regression (no network, no read-out chain)"},
        "trials": [],
        "settings": dict(settings),
        "wall_time_s": float(wall_time_s),
        "provenance": {},
    }
