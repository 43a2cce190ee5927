"""peql's result files: JSON documents and the coefficients store, written atomically, and how to
recognise them again (so that :mod:`peql.results.guard` replaces only what peql wrote).

Every JSON document carries ``"peql_document"`` (what it is: ``equations``, ``scores``, ...) and
``"peql_version"``. Numbers that are not finite are written as ``null`` (strict JSON; Python's
``NaN`` is not JSON). Files get the permissions the user's umask gives, like any other file.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from .guard import replace_with, temporary_sibling

MARKER, VERSION_KEY = "peql_document", "peql_version"
COEFFICIENTS_VERSION = "peql_coefficients_version"

#: Keys by which a document written before the marker existed is still recognised as peql's.
_LEGACY_SIGNATURES = ({"skeleton", "equations", "parameter"}, {"method", "score_split"},
                      {"settings", "wall_time_s", "resumed_from"}, {"scores", "equations"},
                      {"runs", "sgemm_gflops"})


def _version() -> str:
    from .._version import __version__

    return __version__


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def json_safe(value: Any) -> Any:
    """``value`` with numpy scalars and arrays as Python values and non-finite floats as None."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    return value


def write_json(doc: dict, path: str | os.PathLike, document: str | None = None) -> None:
    """Write ``doc`` as JSON atomically (temporary file, then rename).

    Args:
        doc: a JSON-able mapping (numpy values allowed; NaN/inf become ``null``).
        path: the file to write.
        document: what the document is (``"equations"``, ``"scores"``, ...); recorded with the peql
            version so peql recognises its own file later. None: the document's own
            ``peql_document`` key, else ``"other"``.
    """
    path = Path(path)
    tmp = temporary_sibling(path)
    body = {MARKER: document or doc.get(MARKER, "other"), VERSION_KEY: _version(),
            **{k: v for k, v in doc.items() if k not in (MARKER, VERSION_KEY)}}
    try:
        with open(tmp, "w") as fh:
            json.dump(json_safe(body), fh, indent=1, allow_nan=False)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_json(path: str | os.PathLike, what: str = "JSON document") -> dict:
    """A JSON object from ``path``; a missing, unreadable or non-object file is a ValueError or
    FileNotFoundError that names the file."""
    path = Path(path)
    if not path.exists():
        parent = next((p for p in path.parents if p.exists()), None)
        hint = f" ({parent} is a file: give it directly)" if parent is not None and parent.is_file() else ""
        raise FileNotFoundError(f"no {what} at {path}{hint}")
    if path.is_dir():
        raise ValueError(f"{path} is a folder, not a {what}")
    try:
        doc = json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not a readable {what}: {exc}") from None
    if not isinstance(doc, dict):
        raise ValueError(f"{path} is not a {what} (a JSON object was expected)")
    return doc


def is_peql_json(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a JSON document peql wrote (its marker, or an older document's keys)."""
    try:
        doc = json.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    if not isinstance(doc, dict):
        return False
    return MARKER in doc or any(sig <= doc.keys() for sig in _LEGACY_SIGNATURES)


def store_attributes(path: str | os.PathLike) -> dict | None:
    """The root attributes of a zarr (format 3) store, or None when ``path`` is not one."""
    try:
        meta = json.loads((Path(path) / "zarr.json").read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return meta.get("attributes", {}) if isinstance(meta, dict) else None


def is_peql_coefficients(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a coefficients store peql wrote."""
    attrs = store_attributes(path)
    return attrs is not None and (COEFFICIENTS_VERSION in attrs or {"skeleton", "slots"} <= attrs.keys())


def coefficients_dataset(doc: dict):
    """The coefficient curves of an equations document as an xarray Dataset."""
    import xarray as xr

    coefs = doc.get("coefficients") or {}
    params = np.asarray(coefs.get("param", []), dtype=float)
    names = [k for k in coefs if k != "param"]
    values = np.stack([np.asarray(coefs[k], float) for k in names], axis=1) if names else np.zeros((len(params), 0))
    ds = xr.Dataset({"coefficient": (("param_value", "slot"), values)}, coords={"param_value": params})
    ds.attrs.update({"skeleton": doc.get("skeleton") or "", "slots": json.dumps(names),
                     "parameter": doc.get("parameter", "t"), "architecture": doc.get("architecture", ""),
                     COEFFICIENTS_VERSION: 1})
    return ds


def write_store(ds, path: str | os.PathLike) -> Path:
    """An xarray Dataset as a zarr (format 3) store, written beside ``path`` and renamed into place
    (an old store is removed only after), so a killed writer never leaves a half store at ``path``."""
    import shutil

    path = Path(path)
    tmp = temporary_sibling(path)
    try:
        ds.to_zarr(tmp, mode="w-", consolidated=False, zarr_format=3)
        replace_with(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def write_coefficients(doc: dict, path: str | os.PathLike) -> None:
    """Coefficient curves as zarr (format 3), written atomically."""
    write_store(coefficients_dataset(doc), path)


def atomic_bytes(path: str | os.PathLike, write) -> None:
    """Call ``write(tmp_path)`` on a temporary sibling of ``path``, then rename it into place with
    the umask's permissions (``tempfile`` would leave it 0600)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-{os.getpid()}-", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def check_results_folder(out_dir, inputs=()) -> Path:
    """A results folder (what ``peql extract`` and ``peql baseline`` write ``equations.json`` and
    ``coefficients.zarr`` into), checked before any work: each of the two is replaced only when
    peql wrote it, anything else in the folder is left alone."""
    from .guard import FILE, FOLDER, check_output

    out = check_output(out_dir, FOLDER, inputs=inputs, owned=lambda p: True, what="equations.json, coefficients.zarr")
    check_output(out / "equations.json", FILE, inputs=inputs, owned=is_peql_json, what="an equations document")
    check_output(out / "coefficients.zarr", FOLDER, inputs=inputs, owned=is_peql_coefficients,
                 what="a coefficients store")
    return out
