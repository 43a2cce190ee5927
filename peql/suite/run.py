"""Running the suite: every (problem, method, seed) is one JSON record under
``OUT/<method>/<problem>.s<seed>.json``, written atomically as soon as it is done, so a run that
dies halfway keeps what it finished and a rerun does only what is missing."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from .methods import METHODS
from .problems import HELD_OUT, PROBLEMS
from .score import score_expressions

DOCUMENT = "suite-record"


def record_path(out: Path, method: str, problem: str, seed: int) -> Path:
    return Path(out) / method / f"{problem}.s{seed}.json"


def select_problems(names: Iterable[str] | None = None, part: str = "working") -> list[str]:
    """Problem names: the given ones (checked), else every problem of ``part``: ``"working"`` (the
    two thirds open to tuning), ``"held-out"`` (the frozen third, for the final report) or ``"all"``."""
    if names:
        names = list(names)
        unknown = [n for n in names if n not in PROBLEMS]
        if unknown:
            raise ValueError(f"unknown suite problem(s) {unknown}; known: {', '.join(sorted(PROBLEMS))}")
        return names
    if part not in ("working", "held-out", "all"):
        raise ValueError(f"part must be 'working', 'held-out' or 'all', got {part!r}")
    return [n for n in PROBLEMS if part == "all" or (n in HELD_OUT) == (part == "held-out")]


def run_one(problem: str, method: str, seed: int = 0, workdir: Path | None = None) -> dict:
    """One method on one problem: its labelled answers, each scored (:func:`score_expressions`);
    ``workdir`` keeps what the method may reuse on a rerun (peql's checkpoint)."""
    if method not in METHODS:
        raise ValueError(f"unknown suite method {method!r}; known: {', '.join(METHODS)}")
    p = PROBLEMS[problem]
    data = p.generate(seed)
    out = METHODS[method](data, seed, workdir)
    middle = float(np.median(np.unique(data.t)))
    verdicts, examples = {}, {}
    for label, laws in out["laws"].items():
        verdicts[label] = score_expressions(data, laws)
        key = min(laws, key=lambda v: abs(v - middle))
        examples[label] = {"t": key, "law": str(laws[key])}
    return {"problem": problem, "category": p.category, "kind": p.kind, "truth": p.law,
            "held_out": problem in HELD_OUT, "method": method, "seed": seed,
            "wall_time_s": out["wall_time_s"], "verdicts": verdicts, "example_law": examples,
            **{k: out[k] for k in ("skeleton", "architecture", "law_in_t", "skipped") if k in out}}


def run_suite(out: Path, problems: list[str], methods: list[str], seeds: list[int], force: bool = False,
              log: Callable[[str], None] = print) -> list[dict]:
    """Run every missing (problem, method, seed) (all of them with ``force``) and return every
    record of the selection, old and new. ``log`` gets one line per record."""
    from ..results.files import read_json, write_json

    records = []
    todo = [(p, m, s) for p in problems for m in methods for s in seeds]
    for i, (problem, method, seed) in enumerate(todo, 1):
        path = record_path(out, method, problem, seed)
        if path.exists() and not force:
            rec = read_json(path, "suite record")
            state = "kept"
        else:
            start = time.perf_counter()
            rec = run_one(problem, method, seed, path.with_suffix('.run'))
            path.parent.mkdir(parents=True, exist_ok=True)
            write_json(rec, path, DOCUMENT)
            state = f"{time.perf_counter() - start:.0f} s"
        verdicts = ", ".join(f"{label} {'right' if v['correct'] else 'wrong'}" for label, v in rec["verdicts"].items())
        log(f"[{i}/{len(todo)}] {problem} {method} seed {seed}: {verdicts or rec.get('skipped', '')} ({state})")
        records.append(rec)
    return records


def read_records(out: Path) -> list[dict]:
    """Every suite record in the folder ``out`` (unreadable files and other documents skipped):
    the table covers all of them, not only one run's."""
    import json

    recs = []
    for path in sorted(Path(out).glob("*/*.json")):
        try:
            rec = json.loads(path.read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue
        if isinstance(rec, dict) and rec.get("peql_document") == DOCUMENT and rec.get("problem") in PROBLEMS:
            recs.append(rec)
    return recs
