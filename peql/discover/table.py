"""``peql discover``: from a table of measurements to a parametric law, its coefficient curves and
closed forms for them, in one command (the Python function :func:`discover` behind it).

The table is in long format, one row per sample: input columns, a target column, a parameter
column and optionally a ``split`` column (``train`` / ``val`` / ``test``; without it a validation
share is held out of the training rows). CSV, NetCDF (``.nc``) and zarr are read; a peql dataset
(``peql simulate``) needs no column flags at all.

Everything is checked before training starts, and results are written into a hidden temporary
folder next to OUT that is renamed to OUT only when complete: a failed run leaves no OUT behind.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .regressor import ParametricRegressor
from ..results.guard import replace_with, temporary_sibling
from .user_data import MIN_SAMPLES_PER_VALUE, SPLIT, check_arrays, nearest_name, read_table



def _column(frame, name: str | None, role: str, default: str | None) -> str:
    name = name or default
    if name is None:
        raise ValueError(f"name the {role} column with --{role} (columns: {', '.join(map(str, frame.columns))})")
    if name not in frame.columns:
        raise ValueError(f"no {role} column {name!r} in the data{nearest_name(name, list(map(str, frame.columns)))}; "
                         f"columns: {', '.join(map(str, frame.columns))}")
    return name


def resolve_columns(frame, target: str | None, inputs: Sequence[str] | None, param: str | None,
                    defaults: dict) -> tuple[str, list[str], str]:
    """Check the named columns exist (suggesting the nearest name) and play one role each."""
    target = _column(frame, target, "target", defaults.get("target"))
    param = _column(frame, param, "param", defaults.get("param"))
    if target == param:
        raise ValueError(f"column {target!r} is given both as the target and as the parameter")
    if inputs is None:
        inputs = defaults.get("inputs") or [str(c) for c in frame.columns if c not in (target, param, SPLIT)]
    inputs = [_column(frame, n, "inputs", None) for n in inputs]
    if param in inputs:
        raise ValueError(f"column {param!r} is given both as an input and as the parameter (--param): a "
                         "coefficient cannot vary with one of the law's own inputs; drop it from --inputs")
    if target in inputs:
        raise ValueError(f"column {target!r} is given both as an input and as the target")
    return target, list(inputs), param


def _splits(frame) -> dict[str, np.ndarray]:
    if SPLIT not in frame.columns:
        return {"train": np.ones(len(frame), bool)}
    labels = frame[SPLIT].astype(str).str.strip().str.lower().to_numpy()
    unknown = sorted(set(labels) - {"train", "val", "test"})
    if unknown:
        raise ValueError(f"column 'split' holds unknown label(s) {unknown}; allowed: train, val, test")
    if not (labels == "train").any():
        raise ValueError("column 'split' marks no row as 'train'")
    return {s: labels == s for s in ("train", "val", "test") if (labels == s).any()}


def discover(data: str | os.PathLike, output: str | os.PathLike, target: str | None = None,
             inputs: Sequence[str] | None = None, param: str | None = None, architecture: str = "auto",
             trials: int = 8, steps: int | None = None, device: str = "auto", primitives: Sequence[str] | None = None,
             seed: int = 0, threshold: float | None = None, closed_form_rtol: float = 0.02,
             overwrite: bool = False, registry=None, progress: bool | str = "log",
             echo: Callable[[str], None] = print) -> ParametricRegressor:
    """Discover the parametric law in a table and write the results into ``output``.

    Writes ``equations.json``, ``coefficients.csv``, ``coefficients.zarr``, ``fit.png``,
    ``extrapolation.png``, ``coefficients.png``, ``model/checkpoint.pt`` and ``summary.txt``.

    Args:
        data: CSV, NetCDF or zarr table (see the module docstring).
        output: results folder; must not exist or be empty unless ``overwrite``.
        target, inputs, param: column names (inputs default to every other column but ``split``).
        architecture, trials, steps, device, primitives, seed, threshold, closed_form_rtol: see
            :class:`~peql.discover.regressor.ParametricRegressor`.
        echo: where the summary goes (``print``).

    Returns:
        The fitted :class:`~peql.discover.regressor.ParametricRegressor`.
    """
    out = check_discover_output(output, data, overwrite)
    frame, defaults = read_table(data)
    target, inputs, param = resolve_columns(frame, target, inputs, param, defaults)
    masks = _splits(frame)
    x, y, t, _, _ = check_arrays(frame[inputs], frame[target].to_numpy(), frame[param].to_numpy(),
                                 inputs, param, target)
    part = {s: (x[m], y[m], t[m]) for s, m in masks.items()}
    reg = ParametricRegressor(architecture, trials, steps, primitives, device=device, seed=seed, threshold=threshold,
                              closed_form_rtol=closed_form_rtol, progress=progress, registry=registry)
    tmp = temporary_sibling(out)
    tmp.mkdir()
    try:
        reg.fit(*part["train"], input_names=inputs, param_name=param, validation=part.get("val"),
                run_dir=tmp / "model")
        doc = reg.document_
        doc["provenance"] = {"data": str(data), "target": target, "inputs": inputs, "parameter": param,
                             "rows": {s: int(m.sum()) for s, m in masks.items()}}
        doc["held_out_r2"] = held_out_r2(reg, part)
        lines = summary(reg, part, masks, str(data), target)
        write_results(reg, part, tmp, lines)
        replace_with(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    for line in lines + [f"wrote {out}/: {', '.join(sorted(p.name for p in out.iterdir()))}"]:
        echo(line)
    return reg


def write_results(reg: ParametricRegressor, part: dict, folder: Path, lines: list[str]) -> None:
    """equations.json, coefficient curves (CSV, zarr), figures and the summary into ``folder``."""
    from ..results import write_coefficients, write_json
    from .figures import plot_coefficients, plot_fit

    doc = reg.document_
    write_json(doc, folder / "equations.json", "equations")
    coefs = reg.coefficients()
    frame = coefs.to_pandas()
    frame.index.name = reg.param_name_
    frame.to_csv(folder / "coefficients.csv")
    if doc.get("coefficients"):
        write_coefficients(doc, folder / "coefficients.zarr")
    plot_fit(reg, part, folder / "fit.png", extrapolate=False)
    plot_fit(reg, part, folder / "extrapolation.png", extrapolate=True)
    plot_coefficients(reg, folder / "coefficients.png")
    (folder / "summary.txt").write_text("\n".join(lines) + "\n")


#: What ``peql discover`` writes into its results folder; a folder holding only these is peql's.
RESULT_NAMES = ("equations.json", "coefficients.csv", "coefficients.zarr", "fit.png", "extrapolation.png",
                "coefficients.png", "model", "summary.txt")


def is_discover_folder(path: Path) -> bool:
    """Whether ``path`` is a results folder that ``peql discover`` wrote (and nothing else)."""
    from ..results import is_peql_json

    names = {p.name for p in path.iterdir()}
    return names <= set(RESULT_NAMES) and (not names or is_peql_json(path / "equations.json"))


def check_discover_output(output, data, overwrite: bool) -> Path:
    """The results folder, checked before anything is read or trained (see
    :func:`peql.results.check_output`): a non-empty one needs ``overwrite`` and must be one that
    peql discover wrote."""
    from ..results import FOLDER, OutputError, check_output

    out = check_output(output, FOLDER, inputs=[data], owned=is_discover_folder, what="a results folder")
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise OutputError(f"{output} holds earlier results: choose another folder or pass --overwrite")
    return out


def _r2(pred: np.ndarray, y: np.ndarray) -> float | None:
    ok = np.isfinite(pred)
    if ok.mean() < 0.99 or len(y) < 2:
        return None
    return float(1.0 - np.sum((pred[ok] - y[ok]) ** 2) / np.sum((y[ok] - y[ok].mean()) ** 2))


def _network_law(reg: ParametricRegressor, x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The network's own law (no read-out chain) at rows whose parameter value it was read out at."""
    import sympy

    eqs = {float(e["param"]): e["expression"] for e in (reg.document_.get("network") or {}).get("equations", [])}
    out = np.full(len(t), np.nan)
    syms = [sympy.Symbol(n) for n in reg.input_names_]
    for v in np.unique(t):
        if float(v) in eqs:
            rows = t == v
            with np.errstate(all="ignore"):
                out[rows] = np.broadcast_to(sympy.lambdify(syms, sympy.sympify(eqs[float(v)]))(*x[rows].T), rows.sum())
    return out


def held_out_r2(reg: ParametricRegressor, part: dict) -> dict:
    """R^2 on held-out rows (the test rows, else the validation rows) of the network's predictions,
    the network's own law and the refined law (DESIGN 6b: both laws, labelled); None where a
    source cannot predict those rows."""
    split = "test" if "test" in part else "val"
    x, y, t = part[split] if split in part else reg.validation_
    out: dict = {"split": split if split in part else "validation hold-out", "rows": int(len(y))}
    for name, source in (("network", "network"), ("refined_law", "law")):
        try:
            out[name] = _r2(reg.predict(x, t, source), y)
        except ValueError:   # seql: rows at values it was not trained on
            out[name] = None
    out["network_law"] = _r2(_network_law(reg, x, t), y)
    return out


def _r2_lines(doc: dict) -> list[str]:
    r2 = doc.get("held_out_r2") or {}
    fmt = lambda v: "n/a" if v is None else f"{v:.4f}"
    lines = [f"R^2 on {r2.get('rows')} held-out rows ({r2.get('split')}): network {fmt(r2.get('network'))}, "
             f"network law {fmt(r2.get('network_law'))}, refined law {fmt(r2.get('refined_law'))}"]
    if r2.get("network") is not None and r2.get("refined_law") is not None and r2["refined_law"] < r2["network"] - 0.01:
        lines.append("warning: the refined law fits the held-out rows more than 0.01 worse (R^2) than the network: "
                     "the law misses part of what the network learned; try more --steps or --trials")
    return lines


def summary(reg: ParametricRegressor, part: dict, masks: dict, data: str, target: str) -> list[str]:
    """The human-readable summary printed after a run (and saved as summary.txt)."""
    doc, p = reg.document_, reg.param_name_
    values, counts = np.unique(part["train"][2], return_counts=True)
    rows = ", ".join(f"{s} {int(m.sum())}" for s, m in masks.items())
    if "val" not in masks:
        rows += f", of which {100 * reg.val_fraction:g} % held out to choose among the trials"
    why = (f"{p} takes {len(values)} values with at least {counts.min()} samples each" if reg.architecture_ == "seql"
           else f"{p} takes {len(values)} distinct values, {np.median(counts):g} samples per value on median")
    pool = doc.get("parameter_pooling")
    lines = [f"data: {data}: {sum(int(m.sum()) for m in masks.values())} rows ({rows}); inputs "
             f"{', '.join(reg.input_names_)}; target {target}; parameter {p}",
             f"architecture: {reg.architecture_} ({'auto: ' if reg.architecture == 'auto' else ''}{why}; SEQL needs "
             f"<= 256 values with >= {MIN_SAMPLES_PER_VALUE} samples each)"]
    if pool:
        lines.append(f"  scattered {p} pooled into {pool['bins']} bins for training (widest {pool['max_bin_width']:.3g})")
    trial = doc["trials"][reg.selected_trial_]
    s = doc["settings"]
    lines.append(f"trained {s['trials']} trials x {s['steps']} steps in {doc['wall_time_s']:.1f} s; selected trial "
                 f"{reg.selected_trial_} (validation MSE {trial['val_mse']:.3g}, normalised units)")
    if not doc.get("skeleton"):
        lines.append("no equation: " + doc.get("note", "the selected network could not be read out")
                     + "; try more --steps or --trials")
        return lines
    steps = ", ".join((doc.get("readout") or {}).get("steps", [])) or "none"
    lines.append(f"law (refined: the selected network's read-out after {steps}): {target} = {doc['skeleton']}")
    lines.append(f"network law (its own read-out: gates and threshold, no refit): {target} = "
                 f"{(doc.get('network') or {}).get('skeleton')}")
    for name, d in doc["closed_form_details"].items():
        if d["accepted"]:
            lines.append(f"  {name}({p}) = {d['formula']}    (RMS error {100 * d['rel_error']:.2g} % of the curve)")
        else:
            lines.append(f"  {name}({p}): no closed form within {100 * reg.closed_form_rtol:g} % "
                         f"(best: {d['best']}, {100 * d['rel_error']:.2g} %)")
    lines.append(f"with closed forms: {target} = {doc['law']}")
    eqs = doc["equations"]
    for e in eqs[:: max(1, len(eqs) // 3)][:4]:
        lines.append(f"  at {p} = {e['param']:.4g}: {target} = {e['expression']}")
    return lines + _r2_lines(doc)
