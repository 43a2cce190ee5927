"""The raw PDE field layout (``kind="field"``) written by the PDE systems and read by ``derive``.

================================  ================================================================
``u(time, space)``                float64 field; coordinates ``time`` and ``space`` (uniform grids)
``true_coef(param_value, term)``  the coefficient functions on the grid of the coordinate they
                                  vary in (``param_value`` equals ``space`` or ``time``)
================================  ================================================================

attrs (besides ``system``, ``kind``, ``settings``, ``peql_dataset_version``): ``param_coord``
(``"space"`` or ``"time"``: the coordinate the coefficients vary in), ``param_name`` (its symbol,
``"x"`` or ``"t"``), ``target_name`` (``"u_t"``), ``true_equation`` (for example
``"a(t)*u*u_x + b(t)*u_xx"``), ``true_terms`` (JSON: coefficient name -> the factors it multiplies,
``{"a": ["u", "u_x"], "b": ["u_xx"]}``, from which ``derive`` rewrites the truth in terms of its
feature names), ``derivative_orders`` (the space derivatives the law uses, e.g. ``[1, 2]``),
``periodic`` (1 when the space axis is periodic) and ``noise_scale`` (the standard deviation of the
clean field that the noise level refers to).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np
import xarray as xr

from .dataset import DATASET_VERSION, validate_dataset
from .noise import add_noise

if TYPE_CHECKING:  # systems import this module; avoid the cycle at run time
    from .systems.base import Run


def derivative_name(order: int, base: str = "u", var: str = "x") -> str:
    """``u`` for order 0, ``u_x``, ``u_xx``, ... for higher orders."""
    return base if order == 0 else f"{base}_{var * order}"


def product_name(factors: Sequence[str]) -> str:
    """The feature name of a product of features: ``["u", "u_x"]`` -> ``"u_u_x"``."""
    return "_".join(factors)


def equation_from_terms(terms: Mapping[str, Sequence[str]], param_name: str,
                        features: Sequence[str] | None = None) -> str:
    """A SymPy string ``a(p)*f1*f2 + b(p)*f3`` from coefficient -> factors.

    With ``features`` given, a product whose :func:`product_name` is a feature is written as
    that single feature (the "with cross terms" inputs).
    """
    parts = []
    for coef, factors in terms.items():
        if features is not None and len(factors) > 1 and product_name(factors) in features:
            factors = [product_name(factors)]
        parts.append("*".join([f"{coef}({param_name})", *factors]))
    return " + ".join(parts)


def field_dataset(run: Run, u: np.ndarray, time: np.ndarray, space: np.ndarray, *,
                  param_coord: str, terms: Mapping[str, Sequence[str]],
                  coefs: Mapping[str, np.ndarray], orders: Sequence[int],
                  periodic: bool = True) -> xr.Dataset:
    """Assemble a field dataset, adding ``run.noise`` (fraction of the field's std) to ``u``.

    Args:
        run: the generator run (settings, noise, seed).
        u: (n_time, n_space) clean field.  time, space: the coordinates.
        param_coord: ``"space"`` or ``"time"``.
        terms: coefficient name -> factors (feature names) it multiplies.
        coefs: coefficient name -> values on the ``param_coord`` grid (scalars broadcast).
        orders: the space-derivative orders the law uses.
        periodic: whether the space axis is periodic.
    """
    grid = space if param_coord == "space" else time
    param_name = "x" if param_coord == "space" else "t"
    scale = float(np.std(u))
    noisy = add_noise(u, run.noise, run.rng("noise/field"), scale)
    table = np.stack([np.broadcast_to(np.asarray(coefs[k], dtype=np.float64), grid.shape)
                      for k in terms], axis=1)
    ds = xr.Dataset(
        {"u": (("time", "space"), noisy),
         "true_coef": (("param_value", "term"), table)},
        coords={"time": time, "space": space, "param_value": grid,
                "term": np.asarray(list(terms), dtype=str)},
        attrs={"system": run.system, "kind": "field", "param_coord": param_coord,
               "param_name": param_name, "target_name": "u_t",
               "true_equation": equation_from_terms(terms, param_name),
               "true_terms": json.dumps({k: list(v) for k, v in terms.items()}),
               "derivative_orders": [int(k) for k in orders], "periodic": int(periodic),
               "noise_scale": scale, "settings": json.dumps(run.record, sort_keys=True),
               "peql_dataset_version": DATASET_VERSION})
    return validate_dataset(ds)


def wavenumbers(n: int, length: float) -> np.ndarray:
    """Angular wavenumbers of ``numpy.fft.rfft`` on a periodic grid of ``n`` points over
    ``length``."""
    return 2 * np.pi * np.fft.rfftfreq(n, d=length / n)
