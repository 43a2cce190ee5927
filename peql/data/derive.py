"""``derive``: turn a raw PDE field (:mod:`peql.data.fields`) into the canonical long layout.

Features are ``u`` and its space derivatives ``u_x, u_xx, ...`` (the orders the law uses unless
given), optionally with the cross terms ``u*u_x, u*u_xx, ...`` as extra inputs named ``u_u_x``,
``u_u_xx`` (the "with cross terms" rows of the paper; the linear baselines need them). The target
``u_t`` is a time derivative, fourth-order finite differences by default: second order has a
relative error of about 1.6e-3 on these grids and would dominate every coefficient error.

Rows are grouped along the coordinate the coefficients vary in (all times of one x, then the next
x; or all x of one t), and ``param`` holds that coordinate.

Splits: the paper scores the PDE benchmarks on the training data itself, so there is no ``test``
split and ``score_split`` is ``"all"``. A random ``val_fraction`` (10 %) of each group is held out as
``val`` for model selection (choosing among trials); the rest is ``train``.
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Sequence

import numpy as np
import xarray as xr

from .dataset import DatasetError, tabular_dataset, validate_dataset
from .derivatives import Derivative
from .fields import derivative_name, equation_from_terms, product_name
from .noise import rng


def _spacing(ds: xr.Dataset, coord: str) -> float:
    values = np.asarray(ds[coord].values, dtype=np.float64)
    steps = np.diff(values)
    if not np.allclose(steps, steps[0], rtol=1e-6, atol=0):
        raise DatasetError(f"coordinate {coord!r} is not uniformly spaced; derive needs a uniform grid")
    return float(steps[0])


def _val_mask(n_groups: int, per_group: int, fraction: float, seed: int) -> np.ndarray:
    """Exactly round(fraction * per_group) random rows of every group, as a flat mask."""
    n_val = int(round(fraction * per_group))
    keys = rng(seed, "derive/val").random((n_groups, per_group))
    ranks = np.argsort(np.argsort(keys, axis=1), axis=1)
    return (ranks < n_val).ravel()


def _true_terms(field: xr.Dataset, names: Sequence[str], orders: Sequence[int]) -> dict:
    """The field's true terms, each a list of feature names, all among ``names``."""
    terms = json.loads(field.attrs["true_terms"])
    missing = sorted({f for fs in terms.values() for f in fs} - set(names))
    if missing:
        raise ValueError(f"the true law of {field.attrs['system']!r} uses {missing}, which the "
                         f"requested orders {orders} do not produce")
    return terms


def feature_columns(u: np.ndarray, method: Derivative, orders: Sequence[int], cross_terms: bool, dx: float,
                    periodic: bool, options: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """``u`` (order 0 of ``method``, a smoothing one may change it), its space derivatives of
    ``orders`` and, with ``cross_terms``, the products ``u * u_x``, ...; by name, in order."""
    columns = {"u": method(u, 0, dx, axis=1, periodic=periodic, **options)}
    for k in orders:
        columns[derivative_name(k)] = method(u, k, dx, axis=1, periodic=periodic, **options)
    if cross_terms:
        for k in orders:
            name = derivative_name(k)
            columns[product_name(["u", name])] = columns["u"] * columns[name]
    return columns


def derive_features(field: xr.Dataset, method: Derivative, *, time_method: Derivative,
                    orders: Sequence[int] | None = None, cross_terms: bool = False,
                    val_fraction: float = 0.1, options: Mapping[str, Any] | None = None,
                    time_options: Mapping[str, Any] | None = None) -> xr.Dataset:
    """Features, target and truth of a PDE field in the canonical long layout.

    Args:
        field: a ``kind="field"`` dataset.
        method: differentiation method for space (and for the ``u`` feature itself: order 0).
        time_method: differentiation method for ``u_t`` (time is never periodic).
        orders: space-derivative orders to compute; defaults to the field's
            ``derivative_orders`` (the orders its law uses).
        cross_terms: add the products ``u * u_x``, ``u * u_xx``, ... as inputs.
        val_fraction: fraction of each group marked ``val``.
        options, time_options: options of the two methods (e.g. ``window`` for ``savgol``).

    Returns:
        A validated ``tabular`` dataset whose ``true_equation`` is written in its feature names
        and whose ``settings`` record the field's settings plus a ``derive`` entry.
    """
    validate_dataset(field)
    if field.attrs["kind"] != "field":
        raise DatasetError(f"derive needs a field dataset (u(time, space)); "
                           f"{field.attrs['system']!r} is of kind {field.attrs['kind']!r}")
    if not 0 <= val_fraction < 1:
        raise ValueError(f"val_fraction must be in [0, 1), got {val_fraction}")
    orders = sorted(set(int(k) for k in (orders or field.attrs["derivative_orders"])))
    if not orders or orders[0] < 1:
        raise ValueError(f"space-derivative orders must be >= 1, got {orders}")
    u = np.asarray(field["u"].values, dtype=np.float64)
    dx, dt = _spacing(field, "space"), _spacing(field, "time")
    periodic = bool(field.attrs.get("periodic", 1))
    options, time_options = dict(options or {}), dict(time_options or {})

    columns = feature_columns(u, method, orders, cross_terms, dx, periodic, options)
    u_t = time_method(u, 1, dt, axis=0, periodic=False, **time_options)

    by_space = field.attrs["param_coord"] == "space"
    grid = np.asarray(field["space" if by_space else "time"].values, dtype=np.float64)
    order_rows = (lambda a: a.T.ravel()) if by_space else (lambda a: a.ravel())
    n_groups, per_group = (u.shape[1], u.shape[0]) if by_space else u.shape
    names = list(columns)
    inputs = np.stack([order_rows(columns[n]) for n in names], axis=1)
    settings = json.loads(field.attrs["settings"])
    settings["derive"] = {"method": method.name, "options": options, "orders": orders,
                          "cross_terms": bool(cross_terms), "time_method": time_method.name,
                          "time_options": time_options, "val_fraction": val_fraction}
    split = np.where(_val_mask(n_groups, per_group, val_fraction, settings.get("seed", 0)),
                     "val", "train")
    terms = _true_terms(field, names, orders)
    truth = field["true_coef"]
    return tabular_dataset(
        inputs=inputs, target=order_rows(u_t), param=np.repeat(grid, per_group), split=split,
        feature_names=names, system=field.attrs["system"], param_name=field.attrs["param_name"],
        target_name="u_t",
        true_equation=equation_from_terms(terms, field.attrs["param_name"], names),
        true_coef={str(t): truth.values[:, i] for i, t in enumerate(truth["term"].values)},
        param_values=np.asarray(field["param_value"].values), settings=settings,
        score_split="all", extra_attrs={"derived_from": "field"})
