"""The stage functions the Snakemake scripts call, with plain values (paths, dicts, numbers).

Each writes its output atomically, so a killed job never leaves something Snakemake could take
for a finished output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..symbolic.chain import WORKFLOW_CHAIN


def _registry(plugins_dir):
    from ..plugins import get_registry

    return get_registry(plugins_dir)


def simulate_to(output: str, system: str, noise: float = 0.0, seed: int = 0,
                settings: Mapping[str, Any] | None = None, plugins_dir: str | None = None) -> None:
    """Simulate a registered system into a zarr store."""
    from ..data import write_dataset

    ds = _registry(plugins_dir).get("systems", system).simulate(noise=noise, seed=seed, **dict(settings or {}))
    write_dataset(ds, output)
    print(f"{system}: wrote {output}")


def derive_to(field: str, output: str, derive: Mapping[str, Any], plugins_dir: str | None = None) -> None:
    """Differentiate a simulated PDE field into the features layout."""
    from ..data import derive_features, read_dataset, write_dataset

    reg = _registry(plugins_dir)
    ds = derive_features(read_dataset(field), reg.get("derivatives", derive["method"]),
                         time_method=reg.get("derivatives", derive.get("time_method", "fd4")),
                         orders=derive.get("orders"), cross_terms=derive.get("cross_terms", False),
                         options=derive.get("options") or {})
    write_dataset(ds, output)
    print(f"derived {output} with {derive['method']}")


def fit_to(dataset: str, done: str, run_dir: str, settings: Mapping[str, Any], plugins_dir: str | None = None) -> None:
    """Fit (resuming a checkpoint in ``run_dir``), then write the ``done`` marker."""
    from ..fit.settings import FitSettings
    from ..results import write_json
    from .runs import fit_dataset

    result = fit_dataset(dataset, run_dir, FitSettings.from_dict(dict(settings)), _registry(plugins_dir),
                         progress=False, quiet=True, on_mismatch="restart")
    write_json({"settings": result.settings.to_dict(), "wall_time_s": result.wall_time,
                "resumed_from": result.resumed_from, "restarts": result.restarts}, done, "fit")
    print(f"fit done in {result.wall_time:.1f} s (resumed from step {result.resumed_from})")


def extract_to(run_dir: str, dataset: str, equations: str, threshold: float = 0.01,
               steps: Sequence[str] = WORKFLOW_CHAIN, plugins_dir: str | None = None) -> None:
    """Read out a fitted run into the folder of ``equations`` (and its coefficients store)."""
    from .runs import extract_run

    doc = extract_run(run_dir, dataset, Path(equations).parent, threshold, steps, _registry(plugins_dir))
    print(f"selected trial {doc['selected_trial']}: {doc['skeleton']}")


def baseline_to(dataset: str, output: str, baseline: str, settings: Mapping[str, Any] | None = None,
                plugins_dir: str | None = None) -> None:
    """Run a registered baseline on the train split and write its equations.json."""
    from ..baselines.run import run_on_dataset
    from ..results import write_json

    doc = run_on_dataset(dataset, baseline, settings, _registry(plugins_dir))
    write_json(doc, output, "equations")
    print(f"{baseline}: {doc.get('skeleton')}")


def evaluate_to(equations: str, dataset: str, output: str, run_dir: str | None = None,
                plugins_dir: str | None = None) -> None:
    """Score one method's equations (and its run) against the dataset's truth."""
    from .runs import evaluate_files

    scores = evaluate_files(equations, dataset, output, run_dir, _registry(plugins_dir))
    print(json.dumps({k: scores.get(k) for k in ("structure_correct", "test_mse", "coef_mse")}))
