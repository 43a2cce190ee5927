"""PySINDy per parameter value: one STLSQ regression on each slice (each distinct parameter value),
each choosing its own support. pysindy is imported only when the baseline runs.

STLSQ's ridge ``alpha`` is always set explicitly (default 1e-5): PySINDy's default alpha=0.05
biases the Burgers coefficient badly (MSE 0.46 instead of 1.9e-7; see the dependencies notes).
"""

from __future__ import annotations

import warnings
from typing import Any, Mapping, Sequence

import numpy as np

from .base import Baseline, BaselineFit, require_pysindy
from .groups import group_by
from .library import LIBRARIES
from .sindy_library import column_order, parse_sindy_name, sindy_library


def fit_pysindy(ps, library, x: np.ndarray, y: np.ndarray, extra: np.ndarray | None,
                feature_names: Sequence[str], settings: Mapping[str, Any]):
    """Fit one ``pysindy.SINDy`` model of ``y`` on a library of the columns of ``x`` (and
    ``extra``, appended after them: SINDy-CP's parameter).

    The first column is the SINDy state and the rest its control (derivative features cannot be
    states: ``x_dot`` must have the state's shape). ``t=1.0`` is a placeholder: ``x_dot`` is given,
    so PySINDy differentiates nothing.

    Returns:
        ``(coefficients, column names)`` of the one target, in PySINDy's column order.
    """
    control = x[:, 1:] if extra is None else np.column_stack([x[:, 1:], extra])
    model = ps.SINDy(optimizer=ps.STLSQ(threshold=settings["threshold"], alpha=settings["alpha"],
                                        max_iter=settings["max_iter"]),
                     feature_library=library)
    with warnings.catch_warnings():
        # STLSQ reports a slice whose every coefficient falls under the threshold, and a
        # threshold loop that hits max_iter; both are outcomes the document records (a zero or
        # a last-iterate model), not errors.
        warnings.filterwarnings("ignore", message="Sparsity parameter is too big", category=UserWarning)
        warnings.filterwarnings("ignore", message="STLSQ did not converge")
        model.fit(x[:, :1], t=1.0, x_dot=y[:, None], u=control if control.shape[1] else None,
                  feature_names=list(feature_names))
    return np.asarray(model.coefficients())[0], model.get_feature_names()


def check_stlsq(name: str, settings: dict[str, Any]) -> dict[str, Any]:
    """Reject STLSQ settings PySINDy would fail on obscurely."""
    if settings["threshold"] < 0 or settings["alpha"] < 0:
        raise ValueError(f"baseline {name!r}: settings threshold={settings['threshold']} and "
                         f"alpha={settings['alpha']} must be >= 0")
    if settings["max_iter"] < 1 or settings["degree"] < 1:
        raise ValueError(f"baseline {name!r}: settings max_iter={settings['max_iter']} and "
                         f"degree={settings['degree']} must be >= 1")
    return settings


def _fit(x: np.ndarray, y: np.ndarray, param: np.ndarray, input_names: Sequence[str],
         param_name: str, settings: Mapping[str, Any]) -> BaselineFit:
    ps = require_pysindy()
    lib = sindy_library(ps, input_names, settings["library"], settings["degree"])
    names = [input_names[i] for i in lib.columns]
    groups = group_by(param)
    coef = np.zeros((len(groups.values), len(lib.terms)))
    order = None
    for j in range(len(groups.values)):
        rows = groups.group == j
        row, sindy_names = fit_pysindy(ps, lib.make(), x[rows][:, lib.columns], y[rows], None,
                                       names, settings)
        if order is None:
            order = column_order([parse_sindy_name(n) for n in sindy_names], lib.terms, input_names)
        coef[j] = row[order]
    return BaselineFit([t.name for t in lib.terms], groups.values, coef)


SINDY_DEFAULTS = {"library": "features", "degree": 3, "threshold": 0.05, "alpha": 1e-5, "max_iter": 20}

SINDY = Baseline(
    "sindy", "PySINDy STLSQ (explicit ridge alpha) fitted separately at every parameter value",
    SINDY_DEFAULTS, _fit, choices={"library": LIBRARIES},
    check=lambda s: check_stlsq("sindy", s), setup=require_pysindy)
