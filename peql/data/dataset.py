"""The canonical peql dataset: building it, checking it, and reading arrays out of it.

Every stage after ``simulate``/``derive`` consumes one layout, an :class:`xarray.Dataset` in
**long format** (one row per sample, so gridded and scattered parameters look the same):

==========================  =====================================================================
``inputs(sample, feature)``  float64 inputs; coordinate ``feature`` holds the input names
``target(sample)``           float64 target
``param(sample)``            float64 value of the varying parameter (a constant 0 column when the
                             system has none, e.g. ``eql_benchmark``, ``digit_sum``)
``split(sample)``            ``"train"``, ``"val"`` or ``"test"`` (strings in memory; int8 codes on
                             disk, see :mod:`peql.data.store`)
``true_coef(param_value,     optional ground truth: each named coefficient function of
term)``                      ``true_equation`` at every distinct parameter value (sorted)
==========================  =====================================================================

attrs: ``system``, ``kind``, ``param_name``, ``target_name``, ``true_equation`` (a SymPy string in
the input names, the parameter name and the coefficient functions named by ``term``, for example
``"a(t)*x**2 + b(t)*x"``), ``settings`` (JSON of the generator settings incl. noise and seed),
``score_split`` (the split a method is scored on: ``"test"``, or ``"all"`` for the PDEs, which the
paper scores on the training data itself) and ``peql_dataset_version``.

``kind`` is ``"tabular"`` (the layout above), ``"images"`` (the layout above, ``inputs`` holding the
true latent quantities, plus ``images(sample, slot, ...)``), ``"field"`` (a raw PDE field, see
:mod:`peql.data.fields`) or ``"trajectories"`` (see :mod:`peql.data.systems.trajectories`). A
plugin may store another kind (a lower-case identifier): its variables are checked for NaN/inf
and its ``split`` labels as any other's, and the task that claims the kind
(:mod:`peql.tasks`) knows its layout.
"""

from __future__ import annotations

import json
import re
from typing import Any, Mapping, Sequence

import numpy as np
import xarray as xr

DATASET_VERSION = 1
SPLITS = ("train", "val", "test")
KINDS = ("tabular", "field", "images", "trajectories")   # the layouts this module knows
#: Kinds whose samples follow the canonical long layout (``inputs``/``target``/``param``/``split``).
LONG_KINDS = ("tabular", "images")

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_COMMON_ATTRS = ("system", "kind", "settings", "peql_dataset_version")
_LONG_ATTRS = ("param_name", "target_name", "score_split")
_REQUIRED_VARS = {
    "tabular": {"inputs": ("sample", "feature"), "target": ("sample",), "param": ("sample",),
                "split": ("sample",)},
    "field": {"u": ("time", "space")},
    "trajectories": {"encoder_series": ("sample", "step_in", "state"),
                     "series": ("sample", "step", "state"), "param": ("sample",),
                     "split": ("sample",)},
}
_REQUIRED_VARS["images"] = {**_REQUIRED_VARS["tabular"], "images": None}  # None: any dims


class DatasetError(ValueError):
    """A dataset is missing something or holds bad values; the message names the variable."""


def tabular_dataset(*, inputs: np.ndarray, target: np.ndarray, param: np.ndarray,
                    split: np.ndarray, feature_names: Sequence[str], system: str,
                    param_name: str = "t", target_name: str = "y",
                    true_equation: str | None = None,
                    true_coef: Mapping[str, np.ndarray] | None = None,
                    param_values: np.ndarray | None = None,
                    settings: Mapping[str, Any] | None = None, kind: str = "tabular",
                    score_split: str = "test", extra_vars: Mapping[str, Any] | None = None,
                    extra_attrs: Mapping[str, Any] | None = None) -> xr.Dataset:
    """Assemble (and validate) a dataset in the canonical long layout.

    Args:
        inputs: (n, d) input values.  target: (n,) target.  param: (n,) parameter values.
        split: (n,) strings among :data:`SPLITS`.
        feature_names: d identifier names, the symbols of ``true_equation``.
        system: generator name.  param_name: symbol of the parameter (``"t"``, ``"x"``).
        target_name: symbol of the target (``"y"``, ``"u_t"``).
        true_equation: SymPy string of the true law; None (default) for data without truth.
        true_coef: coefficient name -> values at ``param_values`` (None: no truth).
        param_values: sorted distinct parameter values at which ``true_coef`` is given
            (default: the distinct values of ``param``).
        settings: generator settings (noise and seed included), stored as JSON.
        kind: ``"tabular"`` or ``"images"``.  score_split: see the module docstring.
        extra_vars: further variables (e.g. ``images``) as xarray-compatible tuples.
        extra_attrs: further attrs.

    Returns:
        The dataset; :func:`validate_dataset` has passed on it.
    """
    n = len(target)
    data_vars: dict[str, Any] = {
        "inputs": (("sample", "feature"), np.asarray(inputs, dtype=np.float64).reshape(n, -1)),
        "target": ("sample", np.asarray(target, dtype=np.float64)),
        "param": ("sample", np.asarray(param, dtype=np.float64)),
        "split": ("sample", np.asarray(split, dtype=str)),
    }
    coords: dict[str, Any] = {"feature": np.asarray(list(feature_names), dtype=str)}
    if true_coef is not None:
        terms = list(true_coef)
        values = np.unique(param) if param_values is None else np.asarray(param_values, dtype=np.float64)
        table = np.stack([np.asarray(true_coef[k], dtype=np.float64) * np.ones(len(values))
                          for k in terms], axis=1) if terms else np.zeros((len(values), 0))
        data_vars["true_coef"] = (("param_value", "term"), table)
        coords["param_value"] = values
        coords["term"] = np.asarray(terms, dtype=str)
    data_vars.update(extra_vars or {})
    attrs = {"system": system, "kind": kind, "param_name": param_name,
             "target_name": target_name, "score_split": score_split,
             "settings": json.dumps(dict(settings or {}), sort_keys=True),
             "peql_dataset_version": DATASET_VERSION}
    if true_equation is not None:
        attrs["true_equation"] = true_equation
    attrs.update(extra_attrs or {})
    ds = xr.Dataset(data_vars, coords=coords, attrs=attrs)
    validate_dataset(ds)
    return ds


def validate_dataset(ds: xr.Dataset) -> xr.Dataset:
    """Check a dataset against the layout of its ``kind``; return it unchanged.

    Raises:
        DatasetError: listing every problem found, each naming the variable or attribute
            (missing, wrong dimensions, NaN/inf, unknown split label, bad feature name, ...).
    """
    problems = _missing(ds)
    if not problems:
        kind = ds.attrs["kind"]
        required = _REQUIRED_VARS.get(kind, {name: None for name in ds.data_vars})
        for name, dims in required.items():
            var = ds[name]
            if dims is not None and var.dims != dims:
                problems.append(f"variable {name!r} has dims {var.dims}, expected {dims}")
            elif var.dtype.kind in "fc" and var.size and not np.isfinite(var.values).all():
                bad = int(np.size(var.values) - np.isfinite(var.values).sum())
                problems.append(f"variable {name!r} holds {bad} NaN/inf value(s)")
        if kind != "field" and (kind in _REQUIRED_VARS or "split" in ds):
            problems += _check_split(ds)
        if kind in LONG_KINDS:
            problems += _check_long(ds)
        if kind == "field":
            problems += _check_field(ds)
    if problems:
        system = ds.attrs.get("system", "?")
        raise DatasetError(f"invalid peql dataset (system {system!r}): " + "; ".join(problems))
    return ds


def _missing(ds: xr.Dataset) -> list[str]:
    problems = [f"missing attribute {a!r}" for a in _COMMON_ATTRS if a not in ds.attrs]
    kind = ds.attrs.get("kind")
    if "kind" in ds.attrs and not (isinstance(kind, str) and re.fullmatch(r"[a-z][a-z0-9_]*", kind)):
        problems.append(f"attribute 'kind' is {kind!r}, expected a lower-case name such as {', '.join(KINDS)}")
    if kind in _REQUIRED_VARS:
        problems += [f"missing variable {v!r}" for v in _REQUIRED_VARS[kind] if v not in ds]
    if kind in LONG_KINDS:
        problems += [f"missing attribute {a!r}" for a in _LONG_ATTRS if a not in ds.attrs]
    return problems


def _check_split(ds: xr.Dataset) -> list[str]:
    labels = [str(v) for v in np.unique(ds["split"].values.astype(str))]
    unknown = sorted(set(labels) - set(SPLITS))
    if unknown:
        return [f"variable 'split' holds unknown label(s) {unknown}; allowed: {list(SPLITS)}"]
    if "train" not in labels:
        return ["variable 'split' marks no sample as 'train'"]
    return []


def _check_long(ds: xr.Dataset) -> list[str]:
    problems = []
    names = [str(n) for n in ds["feature"].values]
    bad = [n for n in names if not _IDENT.match(n)]
    if bad:
        problems.append(f"coordinate 'feature' holds non-identifier name(s) {bad}")
    if len(set(names)) != len(names):
        problems.append(f"coordinate 'feature' holds duplicate names {names}")
    clash = {ds.attrs["param_name"], ds.attrs["target_name"]} & set(names)
    if clash:
        problems.append(f"attrs 'param_name'/'target_name' clash with feature name(s) {sorted(clash)}")
    if ds.attrs["score_split"] not in SPLITS + ("all",):
        problems.append(f"attribute 'score_split' is {ds.attrs['score_split']!r}, expected one of "
                        f"{list(SPLITS) + ['all']}")
    if "true_coef" in ds:
        tc = ds["true_coef"]
        if tc.dims != ("param_value", "term"):
            problems.append(f"variable 'true_coef' has dims {tc.dims}, expected ('param_value', 'term')")
        elif tc.size and not np.isfinite(tc.values).all():
            problems.append("variable 'true_coef' holds NaN/inf value(s)")
        if "true_equation" not in ds.attrs:
            problems.append("variable 'true_coef' is present but attribute 'true_equation' is missing")
        pv = ds["param_value"].values
        if pv.size > 1 and not np.all(np.diff(pv) > 0):
            problems.append("coordinate 'param_value' is not strictly increasing")
    return problems


def _check_field(ds: xr.Dataset) -> list[str]:
    problems = []
    for coord in ("time", "space"):
        if coord not in ds.coords:
            problems.append(f"variable 'u' has no coordinate {coord!r}")
            continue
        values = ds[coord].values
        if values.size < 5 or not np.all(np.diff(values) > 0):
            problems.append(f"coordinate {coord!r} must be strictly increasing with >= 5 points")
    if ds.attrs.get("param_coord") not in ("time", "space"):
        problems.append(f"attribute 'param_coord' is {ds.attrs.get('param_coord')!r}, "
                        "expected 'time' or 'space'")
    return problems


def input_names(ds: xr.Dataset) -> list[str]:
    """The input (feature) names, in column order of :func:`split_arrays`'s ``x``."""
    return [str(n) for n in ds["feature"].values]


def split_mask(ds: xr.Dataset, split: str) -> np.ndarray:
    """Boolean mask of the samples in ``split`` (one of :data:`SPLITS`, or ``"all"``).

    Raises:
        ValueError: an unknown split name, or a split with no samples (the message lists the
            splits the dataset has).
    """
    if split not in SPLITS + ("all",):
        raise ValueError(f"unknown split {split!r}; expected one of {list(SPLITS) + ['all']}")
    labels = ds["split"].values.astype(str)
    mask = np.ones(len(labels), dtype=bool) if split == "all" else labels == split
    if not mask.any():
        raise ValueError(f"dataset {ds.attrs.get('system', '?')!r} has no {split!r} samples; "
                         f"it has: {sorted(set(map(str, labels)))}")
    return mask


def split_arrays(ds: xr.Dataset, split: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Arrays of one split of a long-layout dataset.

    Args:
        ds: a ``tabular`` or ``images`` dataset.
        split: ``"train"``, ``"val"``, ``"test"`` or ``"all"``.

    Returns:
        ``(x, y, param)``: float64 arrays of shapes (n, d), (n,), (n,), in stored order (grouped by
        parameter value where the generator wrote them so).
    """
    if ds.attrs.get("kind") not in LONG_KINDS:
        raise ValueError(f"split_arrays needs a tabular dataset; {ds.attrs.get('system', '?')!r} is "
                         f"of kind {ds.attrs.get('kind')!r} (run `peql derive` on field data)")
    mask = split_mask(ds, split)
    return (np.asarray(ds["inputs"].values[mask], dtype=np.float64),
            np.asarray(ds["target"].values[mask], dtype=np.float64),
            np.asarray(ds["param"].values[mask], dtype=np.float64))


def image_arrays(ds: xr.Dataset, split: str) -> np.ndarray:
    """The images of one split of an ``images`` dataset, float32 ``(n, slot, *image)``, in the
    sample order of :func:`split_arrays` (slot ``i`` is the image of ``attrs["image_inputs"][i]``)."""
    if "images" not in ds:
        raise ValueError(f"dataset {ds.attrs.get('system', '?')!r} has no images (kind "
                         f"{ds.attrs.get('kind')!r}); an encoder needs an images dataset")
    return np.asarray(ds["images"].values[split_mask(ds, split)], dtype=np.float32)


def sequence_arrays(ds: xr.Dataset, split: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One split of a ``trajectories`` dataset: ``(encoder_series (n, steps_in, states),
    series (n, steps_out + 1, states), param (n,))`` as float64."""
    if ds.attrs.get("kind") != "trajectories":
        raise ValueError(f"sequence_arrays needs a trajectories dataset; {ds.attrs.get('system', '?')!r} is "
                         f"of kind {ds.attrs.get('kind')!r}")
    mask = split_mask(ds, split)
    return tuple(np.asarray(ds[k].values[mask], dtype=np.float64) for k in ("encoder_series", "series", "param"))


def true_coefficients(ds: xr.Dataset) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The ground truth as ``(param_values, {term: values})``.

    Raises:
        ValueError: the dataset carries no ground truth (no ``true_coef`` variable).
    """
    if "true_coef" not in ds:
        raise ValueError(f"dataset {ds.attrs.get('system', '?')!r} carries no ground truth "
                         "(no 'true_coef' variable)")
    tc = ds["true_coef"]
    values = np.asarray(ds["param_value"].values, dtype=np.float64)
    return values, {str(t): np.asarray(tc.values[:, i], dtype=np.float64)
                    for i, t in enumerate(ds["term"].values)}


def dataset_settings(ds: xr.Dataset) -> dict[str, Any]:
    """The generator settings recorded in ``attrs["settings"]`` (noise and seed included)."""
    return json.loads(ds.attrs.get("settings", "{}"))


def dataset_fingerprint(ds: xr.Dataset) -> str:
    """A short hash of a dataset's values (every variable and coordinate, as stored, and the
    system's name): an equations document records it, and ``peql evaluate`` refuses to score it
    against other data. The raw bytes are hashed without any cast, so the process's denormal mode
    cannot change it."""
    import hashlib

    h = hashlib.sha256(str(ds.attrs.get("system", "")).encode())
    for name in sorted(map(str, ds.variables)):
        values = np.asarray(ds[name].values)
        h.update(f"{name}{values.dtype.str}{values.shape}".encode())
        h.update(values.astype(str).tobytes() if values.dtype.kind in "UOS" else np.ascontiguousarray(values).tobytes())
    return h.hexdigest()[:16]


def extrapolation_mask(ds: xr.Dataset, x: np.ndarray) -> np.ndarray | None:
    """Samples outside the training domain, by the dataset's ``extrapolation`` rule (a SymPy
    relation in the input names, e.g. ``Abs(psi1 - psi2) > 4``); None without a rule."""
    import sympy

    rule = ds.attrs.get("extrapolation")
    if not rule:
        return None
    syms = [sympy.Symbol(n) for n in input_names(ds)]
    fn = sympy.lambdify(syms, sympy.sympify(rule), "numpy")
    return np.broadcast_to(np.asarray(fn(*np.asarray(x).T), dtype=bool), (len(x),)).copy()
