"""The report stage: one section per dataset, drawn by the dataset's task, and the page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

from ..report.page import write_page
from ..report.tables import score_rows
from ..tasks import resolve_task


def _load(path) -> dict:
    with open(path) as fh:
        return json.load(fh)


def build_report(pairs: Sequence[Sequence[str]], datasets: dict, data: Sequence[str], equations: Sequence[str],
                 scores: Sequence[str], index: str, figures: str, tables: str, registry=None) -> None:
    """Write ``figures/`` (PNG), ``tables.json`` and ``index.html``.

    ``data``, ``equations`` and ``scores`` are paths, one per (dataset, method) pair of ``pairs``;
    ``datasets`` is the config's ``datasets`` section.
    """
    from ..data import read_dataset

    if registry is None:
        from ..plugins import get_registry

        registry = get_registry()
    fig_dir = Path(figures)
    fig_dir.mkdir(parents=True, exist_ok=True)
    by_dataset: dict[str, dict[str, tuple]] = {}
    for (d, m), dp, ep, sp in zip(pairs, data, equations, scores):
        by_dataset.setdefault(d, {})[m] = (dp, ep, sp)
    sections = []
    for d, methods in by_dataset.items():
        ds = read_dataset(next(iter(methods.values()))[0])
        docs = {m: _load(paths[1]) for m, paths in methods.items()}
        method_scores = {m: _load(paths[2]) for m, paths in methods.items()}
        section = resolve_task(registry, ds).report(d, ds, docs, method_scores, fig_dir)
        section.system = datasets[d]["system"]
        section.scores = score_rows(d, datasets[d], method_scores)
        sections.append(section)
    write_page(sections, index, tables)
