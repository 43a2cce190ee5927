"""From a latent back to the quantity it encodes: the line ``z = slope * truth + intercept`` fitted
on labelled held-out samples, and a latent-space expression rewritten in the true quantities.
Used by the encoder and the recurrent-cell read-outs and by the report's latent figure."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import sympy

from .magnitude import Scale, prune_expression
from .readout import prune_terms


def linear_map(z: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """The line ``z = slope * truth + intercept`` over all slots, and their correlation."""
    z, truth = np.ravel(z), np.ravel(truth)
    slope, intercept = np.polyfit(truth, z, 1)
    with np.errstate(all="ignore"):
        corr = float(np.corrcoef(truth, z)[0, 1])
    return {"slope": float(slope), "intercept": float(intercept),
            "correlation": corr if np.isfinite(corr) else 0.0}


def transform(expr, latent_names: Sequence[str], input_names: Sequence[str], line: dict,
              threshold: float = 0.01, scale: Scale | None = None) -> sympy.Expr:
    """A latent-space expression in the true inputs: ``z_i -> slope * x_i + intercept``, its terms
    below ``threshold`` dropped: by magnitude over the true inputs' box relative to the target's
    range when ``scale`` gives them (:mod:`peql.symbolic.magnitude`), else by raw coefficient."""
    sub = {sympy.Symbol(z): line["slope"] * sympy.Symbol(x) + line["intercept"]
           for z, x in zip(latent_names, input_names)}
    expanded = sympy.expand(sympy.sympify(expr).xreplace(sub))
    if scale is not None:
        return prune_expression(expanded, [*input_names], scale, threshold)
    return prune_terms(expanded, threshold)
