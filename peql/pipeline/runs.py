"""The stage drivers on a dataset: fit, extract, evaluate. Each resolves the dataset's task once
(:func:`peql.tasks.resolve_task`) and calls it; the command line and the workflow's scripts call
these."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from ..fit import checkpoint as ckpt
from ..fit.run import CHECKPOINT, FitResult, train
from ..fit.settings import FitSettings
from ..symbolic.chain import WORKFLOW_CHAIN, check_chain
from ..results import check_results_folder
from ..symbolic.readout import check_threshold
from ..tasks import resolve_task, task_of_document


def _dataset(dataset):
    from ..data import read_dataset

    return dataset if hasattr(dataset, "attrs") else read_dataset(dataset)


def _registry(registry):
    if registry is not None:
        return registry
    from ..plugins import get_registry

    return get_registry()


def fit_dataset(dataset, run_dir: str | Path | None, settings: FitSettings, registry=None,
                progress: bool = True, quiet: bool = False, on_mismatch: str = "error") -> FitResult:
    """Fit on the ``train`` split of a peql dataset (path or xarray Dataset) what its task trains
    on; checkpoint in ``run_dir`` (resumed if unfinished, loaded if finished)."""
    registry = _registry(registry)
    ds = _dataset(dataset)
    settings = settings.resolved()
    data, fingerprint, build = resolve_task(registry, ds).training_data(ds, settings)
    return train(data, fingerprint, settings, run_dir, registry, progress, quiet, on_mismatch, build)


def load_run(run_dir: str | Path, dataset, registry=None, device: str = "auto") -> FitResult:
    """A finished run's :class:`FitResult`, rebuilt from its checkpoint and training data."""
    path = Path(run_dir) / CHECKPOINT
    if not path.exists():
        raise FileNotFoundError(f"no checkpoint in {run_dir}: run `peql fit` first")
    state = ckpt.load(path)
    if not state.get("complete"):
        raise ValueError(f"{path} is unfinished (step {state['step']}): rerun `peql fit` to resume it")
    settings = FitSettings.from_dict({**state["settings"], "device": device})
    return fit_dataset(dataset, run_dir, settings, registry, progress=False, quiet=False, on_mismatch="error")


def extract_run(run_dir, dataset, out_dir, threshold: float = 0.01, steps: Sequence[str] = WORKFLOW_CHAIN,
                registry=None) -> dict:
    """Select a trial on the dataset's ``val`` split, read it out through the chain ``steps``,
    write ``equations.json`` and ``coefficients.zarr`` into ``out_dir``; returns the document."""
    from ..data import dataset_fingerprint
    from ..nn.spec import NetworkSpec
    from ..plugins import fingerprint
    from ..results import write_coefficients, write_json

    threshold, steps = check_threshold(threshold), check_chain(steps)
    out = check_results_folder(out_dir, [run_dir, None if hasattr(dataset, "attrs") else dataset])
    registry = _registry(registry)
    ds = _dataset(dataset)
    result = load_run(run_dir, ds, registry)
    s = result.settings
    prims = [("primitives", u.name) for u in NetworkSpec.from_dict(s.network).units]
    provenance = {"dataset": str(dataset) if not hasattr(dataset, "attrs") else ds.attrs.get("system"),
                  "system": ds.attrs.get("system"), "data_fingerprint": dataset_fingerprint(ds),
                  "run_dir": str(run_dir),
                  "fingerprint": fingerprint(registry, [("architectures", s.architecture), *prims,
                                                        *([("encoders", s.encoder)] if s.encoder else [])])}
    doc = resolve_task(registry, ds).read_out(result, ds, threshold, steps, provenance)
    doc["wall_time_s"] = float(result.wall_time)
    out.mkdir(parents=True, exist_ok=True)
    write_coefficients(doc, out / "coefficients.zarr")
    write_json(doc, out / "equations.json", "equations")
    return doc


def score(doc: dict, ds, result=None, registry=None) -> dict[str, Any]:
    """Scores of one method's equations document on one dataset, by the document's task."""
    return task_of_document(_registry(registry), doc, ds).score(doc, ds, result)


def equations_path(path) -> Path:
    """The equations document named by ``path``: the file itself, or ``equations.json`` inside a
    results folder (what ``peql extract``, ``peql baseline`` and ``peql discover`` write)."""
    p = Path(path)
    if p.is_dir():
        inner = p / "equations.json"
        if not inner.is_file():
            raise FileNotFoundError(f"{p} is a folder without an equations.json; give the equations file or the "
                                    "folder that peql extract / peql baseline wrote")
        return inner
    return p


def check_same_data(doc: dict, ds, equations: str) -> None:
    """Refuse to score equations against data other than those they were read out from: the data
    fingerprint the document records, or (older documents) its system name."""
    from ..data import dataset_fingerprint

    prov = doc.get("provenance") or {}
    system = ds.attrs.get("system")
    recorded = prov.get("data_fingerprint")
    if recorded is not None:
        actual = dataset_fingerprint(ds)
        if recorded != actual:
            raise ValueError(f"{equations} was read out from other data (system {prov.get('system')!r}, fingerprint "
                             f"{recorded}) than the dataset given (system {system!r}, fingerprint {actual}); pass "
                             "--force to score it against these data anyway")
    elif prov.get("system") and system and prov["system"] != system:
        raise ValueError(f"{equations} was read out from system {prov['system']!r}, but the dataset given is "
                         f"{system!r}; pass --force to score it against these data anyway")


def evaluate_files(equations_file, dataset_path, output_path, run_dir=None, registry=None,
                   force: bool = False) -> dict[str, Any]:
    """``peql evaluate``: read, check, score, write the scores JSON atomically.

    Args:
        equations_file: an equations document, or the folder holding ``equations.json``.
        force: score even when the document records other data than ``dataset_path``.
    """
    from ..data import read_dataset
    from ..results import FILE, check_output, is_peql_json, read_json, write_json
    from ..results.documents import check_equations_document

    path = equations_path(equations_file)
    check_output(output_path, FILE, inputs=[path, dataset_path, run_dir], owned=is_peql_json, what="a scores document")
    doc = check_equations_document(read_json(path, "equations document"), str(path))
    ds = read_dataset(dataset_path)
    if not force:
        check_same_data(doc, ds, str(path))
    registry = _registry(registry)
    result = load_run(run_dir, ds, registry) if run_dir is not None else None
    scores = score(doc, ds, result, registry)
    scores["equations_path"] = str(path)
    write_json(scores, output_path, "scores")
    return scores
