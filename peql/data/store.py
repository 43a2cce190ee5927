"""Reading and writing peql datasets as zarr (format 3) stores through xarray.

Two things are decided here:

* **Strings.** Zarr format 3 has no stable specification for string arrays (writing one raises
  ``UnstableSpecificationWarning``), so every string variable or coordinate (``split``, the
  ``feature`` and ``term`` names, ...) is stored as small integer codes whose attribute
  ``peql_categories`` lists the strings. :func:`read_dataset` decodes them back, so in memory the
  dataset always holds strings. Other zarr readers see the codes and the category list.
* **Atomicity.** A store is written to a hidden temporary sibling (``.NAME.tmp-PID-XXXX``) and
  renamed into place only once complete, so an interrupted run never leaves a store at ``path``
  that looks complete. An existing store at ``path`` is replaced only after the new one is fully
  written, and only when it is a peql dataset: a user's folder is never replaced.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import xarray as xr

from ..results.files import store_attributes, write_store
from ..results.guard import FOLDER, check_output
from .dataset import DATASET_VERSION, DatasetError, validate_dataset

_CATEGORIES = "peql_categories"


def _encode_strings(ds: xr.Dataset) -> xr.Dataset:
    ds = ds.copy()
    for name in list(ds.variables):
        var = ds.variables[name]
        if var.dtype.kind not in "UOS":
            continue
        categories, codes = np.unique(np.asarray(var.values, dtype=str), return_inverse=True)
        dtype = np.int8 if len(categories) < 128 else np.int32
        attrs = {**var.attrs, _CATEGORIES: [str(c) for c in categories]}
        encoded = xr.Variable(var.dims, codes.reshape(var.shape).astype(dtype), attrs)
        if name in ds.coords:
            ds = ds.assign_coords({name: encoded})
        else:
            ds[name] = encoded
    for var in ds.variables.values():
        var.encoding = {}  # chunking/compressors of a store this dataset was read from
    return ds


def _decode_strings(ds: xr.Dataset) -> xr.Dataset:
    for name in list(ds.variables):
        var = ds.variables[name]
        if _CATEGORIES not in var.attrs:
            continue
        categories = np.asarray(var.attrs[_CATEGORIES], dtype=str)
        codes = np.asarray(var.values)
        if codes.size and (codes.min() < 0 or codes.max() >= len(categories)):
            raise DatasetError(f"variable {name!r} holds codes outside its {_CATEGORIES} list")
        attrs = {k: v for k, v in var.attrs.items() if k != _CATEGORIES}
        decoded = xr.Variable(var.dims, categories[codes] if codes.size else codes.astype(str), attrs)
        if name in ds.coords:
            ds = ds.assign_coords({name: decoded})
        else:
            ds[name] = decoded
    return ds


def is_peql_dataset(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a store that peql wrote (it carries ``peql_dataset_version``)."""
    attrs = store_attributes(path)
    return attrs is not None and "peql_dataset_version" in attrs


def check_dataset_output(path: str | os.PathLike, inputs=()) -> Path:
    """:func:`peql.results.check_output` for a dataset store: only a peql dataset is replaced."""
    return check_output(path, FOLDER, inputs=inputs, owned=is_peql_dataset, what="a zarr store")


def write_dataset(ds: xr.Dataset, path: str | os.PathLike) -> Path:
    """Validate ``ds`` and write it to a zarr store at ``path``, atomically.

    Args:
        ds: a dataset of any peql kind (validated first, so bad data is never written).
        path: the store's directory; an existing peql dataset there is replaced, anything else
            is refused (:class:`peql.results.OutputError`).

    Returns:
        The store's path.
    """
    validate_dataset(ds)
    return write_store(_encode_strings(ds), check_dataset_output(path))


def read_dataset(path: str | os.PathLike, validate: bool = True) -> xr.Dataset:
    """Read a peql dataset written by :func:`write_dataset`, fully into memory.

    Raises:
        FileNotFoundError: nothing at ``path``.
        DatasetError: ``path`` is not a zarr store, or not a peql dataset (the message names what
            is missing), or the data fail :func:`validate_dataset`.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no dataset at {path}")
    if not (path / "zarr.json").is_file():
        raise DatasetError(f"{path} is not a zarr (format 3) store: missing {path / 'zarr.json'}")
    try:
        with warnings.catch_warnings():
            # Snakemake stamps directory outputs with a `.snakemake_timestamp` file, which zarr
            # notices (and ignores) when it lists the store.
            warnings.filterwarnings("ignore", message=r"Object at \.snakemake_timestamp is not recognized")
            with xr.open_dataset(path, engine="zarr", consolidated=False, chunks=None) as raw:
                ds = raw.load()
    except Exception as exc:  # zarr/xarray raise many types for a damaged store
        raise DatasetError(f"cannot read {path} as an xarray dataset: {exc}") from exc
    ds = _decode_strings(ds)
    if "peql_dataset_version" not in ds.attrs:
        found = ", ".join(sorted(map(str, ds.data_vars))) or "none"
        raise DatasetError(
            f"{path} is not a peql dataset: missing attribute 'peql_dataset_version' "
            f"(variables found: {found}); write it with `peql simulate`, `peql derive` or "
            "peql.data.write_dataset")
    if int(ds.attrs["peql_dataset_version"]) > DATASET_VERSION:
        raise DatasetError(f"{path} was written by a newer peql (dataset version "
                           f"{ds.attrs['peql_dataset_version']} > {DATASET_VERSION})")
    if validate:
        try:
            validate_dataset(ds)
        except DatasetError as exc:
            raise DatasetError(f"{path}: {exc}") from None
    return ds
