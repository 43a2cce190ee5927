"""The methods the suite compares, each ``method(data, seed, workdir) -> {"laws": {label: {t: law}}, ...}``
with ``wall_time_s``: peql with default flags (two labelled answers, **network** and **refined**,
DESIGN 6b), PySINDy per parameter value and SINDy-CP (:mod:`.sindy`, frozen protocol)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from .problems import ProblemData


def _by_value(equations: list[dict]) -> dict[float, str]:
    return {float(e["param"]): e["expression"] for e in equations}


def run_peql(data: ProblemData, seed: int = 0, workdir: Path | None = None, readout=None) -> dict:
    """:class:`peql.ParametricRegressor` with default flags on the training rows, the validation
    rows selecting the trial; the network's own law and the refined law at every reported value.
    The checkpoint is kept in ``workdir``: a rerun with the same data and settings reads it back
    instead of training, so a change of the read-out is measured on the same networks (``readout``:
    the chain's steps, default the full chain; ``tools/suite_ablation.py`` varies it). The wall
    time includes the training of a checkpoint read back."""
    from ..discover import ParametricRegressor

    start = time.perf_counter()
    reg = ParametricRegressor(seed=seed, device="cpu", readout=readout)
    reg.fit(data.X[data.train], data.y[data.train], data.t[data.train], input_names=data.input_names,
            param_name="t", validation=(data.X[data.val], data.y[data.val], data.t[data.val]), run_dir=workdir)
    doc = reg.document_
    return {"laws": {"network": _by_value(doc["network"]["equations"]), "refined": _by_value(doc["equations"])},
            "skeleton": {"network": doc["network"]["skeleton"], "refined": doc["skeleton"]},
            "architecture": reg.architecture_, "wall_time_s": _wall_time(reg, time.perf_counter() - start)}


def _wall_time(reg, elapsed: float) -> float:
    """Seconds of the whole fit: a checkpoint read back adds the training time it recorded."""
    result = reg.result_
    return elapsed + (float(result.wall_time) if result.resumed_from else 0.0)


def run_pysindy(data: ProblemData, seed: int = 0, workdir: Path | None = None) -> dict:
    """PySINDy per parameter value, the frozen protocol of :mod:`.sindy` (deterministic: no seed)."""
    from .sindy import run_sindy

    out = run_sindy(data)
    return {"laws": {"pysindy": out["expressions"]}, "wall_time_s": out["wall_time_s"]}


def run_sindy_cp(data: ProblemData, seed: int = 0, workdir: Path | None = None) -> dict:
    """SINDy-CP (coefficients quadratic in t), gridded parameter values only."""
    from .sindy import run_sindy_cp as cp

    out = cp(data)
    if not out.get("applicable", True):
        return {"laws": {}, "skipped": out["reason"], "wall_time_s": 0.0}
    return {"laws": {"sindy-cp": out["expressions"]}, "law_in_t": out["law"], "wall_time_s": out["wall_time_s"]}


METHODS: dict[str, Callable[[ProblemData, int, Path | None], dict]] = {
    "peql": run_peql, "pysindy": run_pysindy, "sindy-cp": run_sindy_cp}
