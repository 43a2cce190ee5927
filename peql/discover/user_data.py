"""User data, before anything is trained or written: reading tables; checks whose errors name the
column (or argument), the problem and what to do about it; the choice of architecture; the
validation hold-out; the pooling of scattered parameter values. Used by :class:`peql.ParametricRegressor`
(arrays) and ``peql discover`` (tables)."""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path
from typing import Sequence

import numpy as np

_CSV = (".csv", ".tsv", ".txt")
_NETCDF = (".nc", ".nc4", ".netcdf", ".cdf")
SPLIT = "split"
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MIN_ROWS = 10


def nearest_name(name: str, choices: Sequence[str]) -> str:
    """`` (did you mean 'x1'?)`` for the closest of ``choices``, or an empty string."""
    lowered = {c.lower(): c for c in choices}
    if name.lower() in lowered:
        return f" (did you mean {lowered[name.lower()]!r}?)"
    match = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.5)
    return f" (did you mean {match[0]!r}?)" if match else ""


def check_name(name: str, role: str) -> None:
    """A name must be a plain identifier that SymPy reads as a symbol, since it appears in
    equations (``E``, ``I``, ``S``, ``pi``, ``sin`` ... mean something else to SymPy)."""
    import sympy

    if not _IDENT.match(name):
        raise ValueError(f"{role} name {name!r} cannot appear in an equation: use ASCII letters, digits and "
                         "underscores, starting with a letter (rename the column)")
    if re.fullmatch(r"c\d+", name):
        raise ValueError(f"{role} name {name!r} clashes with the coefficient names c0, c1, ... of peql's "
                         "equations; rename the column")
    try:
        parsed = sympy.sympify(name)
    except (sympy.SympifyError, TypeError, AttributeError):
        parsed = None
    if parsed != sympy.Symbol(name):
        raise ValueError(f"{role} name {name!r} is reserved by SymPy (it would be read as "
                         f"{parsed!s}); rename the column")


def value_counts(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct parameter values and how many samples each has."""
    return np.unique(np.asarray(t, dtype=float), return_counts=True)


def _numeric(values, label: str) -> np.ndarray:
    """``values`` as float64; non-numeric entries are an error naming ``label`` and an example."""
    import pandas as pd

    arr = np.asarray(values)
    if arr.dtype.kind in "biuf":
        return arr.astype(np.float64)
    coerced = pd.to_numeric(pd.Series(arr.ravel()), errors="coerce")
    bad = coerced.isna().to_numpy() & ~pd.isna(pd.Series(arr.ravel())).to_numpy()
    if bad.any():
        first = int(np.argmax(bad))
        raise ValueError(f"{label} holds {int(bad.sum())} non-numeric value(s), e.g. {arr.ravel()[first]!r} "
                         f"in row {first}; only numbers can be fitted")
    return coerced.to_numpy(dtype=np.float64).reshape(arr.shape)


def _finite(values: np.ndarray, label: str) -> None:
    bad = ~np.isfinite(values)
    if bad.any():
        rows = np.nonzero(bad)[0]
        raise ValueError(f"{label} holds NaN or inf in {len(rows)} row(s) (first at row {int(rows[0])}); "
                         "drop or fill those rows")


def _input_columns(X, input_names: Sequence[str] | None, what: str) -> tuple[list[str], list]:
    """The input names and columns of ``X`` (a DataFrame's by name, whatever their order)."""
    if hasattr(X, "columns"):
        have = [str(c) for c in X.columns]
        names = have if input_names is None else list(input_names)
        missing = [n for n in names if n not in have]
        if missing:
            raise ValueError(f"{what}inputs have no column {missing[0]!r}{nearest_name(missing[0], have)}; "
                             f"they have {', '.join(have)}")
        return names, [X[n].to_numpy() for n in names]
    arr = np.asarray(X)
    arr = arr.reshape(-1, 1) if arr.ndim == 1 else arr
    if arr.ndim != 2:
        raise ValueError(f"{what}X must be 2-D (samples, inputs), got shape {arr.shape}")
    names = list(input_names) if input_names is not None else [f"x{i}" for i in range(arr.shape[1])]
    return names, [arr[:, i] for i in range(arr.shape[1])]


def check_arrays(X, y, t, input_names: Sequence[str] | None = None, param_name: str | None = None,
                 target_name: str = "y", what: str = ""):
    """Validate and convert ``(X, y, t)``.

    Args:
        X: (n, d) array or DataFrame (columns name the inputs), or (n,) for one input.
        y: (n,) target, or None (prediction).   t: (n,) parameter values (a Series lends its name).
        input_names, param_name: names to use (defaults: DataFrame columns or x0.., Series name or t).
        target_name: how the target is called in messages.
        what: prefix of messages ("validation ", "prediction ").

    Returns:
        ``(x (n, d), y (n,) or None, t (n,), input_names, param_name)``, all float64.
    """
    names, columns = _input_columns(X, input_names, what)
    pname = param_name or (str(t.name) if getattr(t, "name", None) is not None else "t")
    if len(names) != len(columns):
        raise ValueError(f"{len(names)} input names {names} for {len(columns)} input columns")
    if len(set(names)) != len(names):
        raise ValueError(f"input names must be distinct, got {names}")
    if pname in names:
        raise ValueError(f"{pname!r} is given both as an input and as the parameter: a coefficient cannot "
                         "vary with one of the law's own inputs; drop it from the inputs")
    for n in names:
        check_name(n, "input")
    check_name(pname, "parameter")
    x = np.stack([_numeric(col, f"{what}input column {n!r}") for n, col in zip(names, columns)], axis=1) \
        if columns else np.zeros((len(np.asarray(t)), 0))
    tv = _numeric(np.asarray(t).reshape(-1), f"{what}parameter column {pname!r}")
    yv = None if y is None else _numeric(np.asarray(y).reshape(-1), f"{what}target column {target_name!r}")
    lengths = {"inputs": len(x), "parameter": len(tv), **({} if yv is None else {"target": len(yv)})}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"{what}lengths differ: {lengths}")
    for n, col in zip(names, x.T):
        _finite(col, f"{what}input column {n!r}")
    _finite(tv, f"{what}parameter column {pname!r}")
    if yv is not None:
        _finite(yv, f"{what}target column {target_name!r}")
        if not what and len(yv) < MIN_ROWS:
            raise ValueError(f"only {len(yv)} rows: at least {MIN_ROWS} are needed to fit anything")
        if not what and len(np.unique(tv)) < 2:
            raise ValueError(f"parameter column {pname!r} takes one value only ({tv[0]:g}): there is nothing "
                             "parametric to find; a law whose coefficients vary needs data at two or more values")
        if not what and np.ptp(yv) == 0:
            raise ValueError(f"target column {target_name!r} is constant (every row is {yv[0]:g}): "
                             "there is nothing to fit")
    if not what and x.shape[1] == 0:
        raise ValueError("no input columns: a law needs at least one input besides the parameter")
    return x, yv, tv, names, pname


def check_seql_groups(t: np.ndarray, param_name: str, architecture: str, min_count: int) -> None:
    """A grid architecture fits one weight set per parameter value from that value's samples alone."""
    values, counts = value_counts(t)
    few = counts < min_count
    if few.any():
        k = int(np.argmin(counts))
        raise ValueError(
            f"{architecture} fits one weight set per value of {param_name!r} and needs at least {min_count} "
            f"training samples per value, but {int(few.sum())} of {len(values)} values have fewer "
            f"({param_name}={values[k]:g} has {int(counts[k])}): use --arch heql (architecture='heql'), "
            "which handles scattered parameter values, or --arch auto")


#: ``auto`` picks SEQL when the parameter has at most this many distinct values ...
AUTO_MAX_VALUES = 256
#: ... and every value has at least this many samples (SEQL's minibatch per value).
MIN_SAMPLES_PER_VALUE = 16
#: Scattered values are pooled into bins of about this many samples, at most MAX_BINS bins.
POOL_SIZE, MAX_BINS = 32, 128
#: Default training steps per architecture (measured: a good answer on a few thousand rows in
#: about a minute on two CPU cores, see docs/discover.md).
DEFAULT_STEPS = {"seql": 3000, "heql": 4000}


def choose_architecture(t: np.ndarray) -> str:
    """``"seql"`` when ``t`` takes few distinct values with enough samples each, else ``"heql"``."""
    values, counts = value_counts(t)
    if len(values) <= AUTO_MAX_VALUES and counts.min() >= MIN_SAMPLES_PER_VALUE:
        return "seql"
    return "heql"


def is_scattered(t: np.ndarray) -> bool:
    """Parameter values hardly repeat (median count per value below MIN_SAMPLES_PER_VALUE)."""
    return bool(np.median(value_counts(t)[1]) < MIN_SAMPLES_PER_VALUE)


def pool_parameter(t: np.ndarray, n_bins: int) -> np.ndarray:
    """Each value replaced by the mean of its equal-count bin (equal values share a bin).

    Why HEQL trains on pooled values: the hypernetwork evaluates its weights once per distinct
    value in a minibatch, so scattered values cost one evaluation per sample (64 times the work of
    gridded data per step), and a single sample per value leaves nothing for the per-value
    least-squares refit of the coefficients. For a smooth coefficient the pooling error is second
    order in the bin width: within a bin c(t) = c(m) + c'(m)(t - m) + ..., m the bin mean, and the
    first-order part averages out over inputs that do not depend on t.
    """
    t = np.asarray(t, dtype=float)
    values, inverse, counts = np.unique(t, return_inverse=True, return_counts=True)
    before = np.concatenate([[0], np.cumsum(counts)[:-1]])
    value_bin = before * n_bins // len(t)
    _, value_bin = np.unique(value_bin, return_inverse=True)  # drop empty bins
    sums = np.bincount(value_bin, weights=values * counts)
    sizes = np.bincount(value_bin, weights=counts)
    return (sums / sizes)[value_bin][inverse]


def pool_scattered(t: np.ndarray) -> tuple[np.ndarray, dict]:
    """Pooled values (bins of about POOL_SIZE samples, at most MAX_BINS) and a record of the pooling."""
    pooled = pool_parameter(t, int(np.clip(len(t) // POOL_SIZE, 1, MAX_BINS)))
    widths = [float(np.ptp(t[pooled == v])) for v in np.unique(pooled)]
    return pooled, {"bins": len(widths), "distinct_values": int(len(np.unique(t))), "max_bin_width": max(widths)}


def holdout_split(x, y, t, fraction: float, seed: int):
    """Hold out ``fraction`` of the samples for trial selection: within every parameter value when
    values repeat (so each keeps training samples), else at random."""
    if not 0 < fraction < 1:
        raise ValueError(f"val_fraction must be between 0 and 1, got {fraction}")
    rng = np.random.default_rng(seed)
    _, inverse, counts = np.unique(t, return_inverse=True, return_counts=True)
    u = rng.random(len(t))
    if np.median(counts) >= 5:  # values repeat: every value keeps most of its samples
        rank = np.empty(len(t))  # rank of u within its parameter value, in [0, 1)
        order = np.lexsort((u, inverse))
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        rank[order] = (np.arange(len(t)) - np.repeat(starts, counts)) / np.repeat(counts, counts)
        held = rank >= 1 - fraction
    else:
        held = u < fraction
    return (x[~held], y[~held], t[~held]), (x[held], y[held], t[held])


def read_table(path: str | os.PathLike):
    """A long-format table as a DataFrame, and default column roles (from a peql dataset's attrs).

    Raises:
        FileNotFoundError: nothing at ``path``.
        ValueError: an unsupported file type, or variables that are not one row per sample.
    """
    import pandas as pd
    import xarray as xr

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no data at {path}")
    suffix = path.suffix.lower()
    if suffix in _CSV:
        sep = _delimiter(path, "\t" if suffix == ".tsv" else ",")
        return pd.read_csv(path, sep=sep), {}
    if suffix in _NETCDF:
        with xr.open_dataset(path) as raw:
            return _frame(raw.load(), path)
    if path.is_dir() and ((path / "zarr.json").exists() or (path / ".zgroup").exists()):
        if "peql_dataset_version" in xr.open_zarr(path, consolidated=False).attrs:
            from ..data import read_dataset

            return _frame(read_dataset(path), path)
        with xr.open_zarr(path, consolidated=False) as raw:
            return _frame(raw.load(), path)
    raise ValueError(f"cannot read {path}: use a CSV ({', '.join(_CSV)}), NetCDF ({', '.join(_NETCDF)}) "
                     "or zarr table in long format (one row per sample)")


def _delimiter(path: Path, default: str) -> str:
    """The delimiter of a text table: ``default`` unless the header row holds none of it but
    another common one (``;`` from a spreadsheet in a comma-decimal locale, tabs, ``|``). Refuses
    duplicated column names, which pandas would silently rename (``x``, ``x.1``)."""
    import csv

    with open(path, newline="") as fh:
        header = fh.readline()
    sep = default
    if default not in header:
        found = [d for d in (";", "\t", ",", "|") if d in header]
        if found:
            sep = found[0]
            print(f"{path}: reading with {sep!r} as the delimiter (the header has no {default!r})")
    names = [n.strip() for n in next(csv.reader([header], delimiter=sep), [])]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f"{path}: column {dup[0]!r} appears {names.count(dup[0])} times in the header; give every "
                         "column a distinct name")
    return sep


def _frame(ds, path: Path):
    """An xarray dataset as a DataFrame: the peql layout (inputs(sample, feature), target, param,
    split) or 1-D variables that share one dimension."""
    import pandas as pd

    if "inputs" in ds and "feature" in ds["inputs"].dims:
        names = [str(n) for n in ds["feature"].values]
        target, param = ds.attrs.get("target_name", "y"), ds.attrs.get("param_name", "t")
        cols = {n: ds["inputs"].values[:, i] for i, n in enumerate(names)}
        cols.update({target: ds["target"].values, param: ds["param"].values})
        if SPLIT in ds:
            cols[SPLIT] = ds[SPLIT].values.astype(str)
        return pd.DataFrame(cols), {"target": target, "param": param, "inputs": names}
    dims = {v.dims for v in ds.data_vars.values()}
    if len(dims) != 1 or len(next(iter(dims))) != 1:
        raise ValueError(f"{path} is not a long-format table: every variable must be 1-D along one shared "
                         f"row dimension, found dims {sorted(map(str, dims))}")
    return ds.to_dataframe().reset_index(drop=True), {}
