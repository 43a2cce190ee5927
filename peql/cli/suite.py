"""``peql suite``: the generalisation suite (:mod:`peql.suite`), peql with default flags against
PySINDy and SINDy-CP on parametric laws nobody tuned for, one record per run and one table."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path


def _split(text: str | None) -> list[str] | None:
    return None if not text else [s.strip() for s in text.split(",") if s.strip()]


def add_commands(sub) -> None:
    p = sub.add_parser(
        "suite", help="run the generalisation suite (peql vs PySINDy) and write its table",
        description="Run peql (default flags; network and refined verdicts), PySINDy and SINDy-CP on the "
                    "generalisation suite's problems and write OUT/table.md. Every (problem, method, seed) "
                    "is kept as OUT/<method>/<problem>.s<seed>.json: a rerun does only what is missing.")
    p.add_argument("-o", "--output", default="results-suite",
                   help="results folder (default results-suite); files there that peql did not write are "
                        "never replaced")
    p.add_argument("--problems", help="comma-separated problem names (default: every problem of --part)")
    p.add_argument("--part", default="working", choices=("working", "held-out", "all"),
                   help="working: the two thirds open to tuning (default); held-out: the third set aside "
                        "before any tuning, for the final report; all: both")
    p.add_argument("--methods", default="peql,pysindy,sindy-cp", help="comma-separated (default: all three)")
    p.add_argument("--seeds", default="0", help="comma-separated seeds of data and training (default 0)")
    p.add_argument("--force", action="store_true", help="rerun records that exist (peql reads its kept checkpoint back, so only its read-out reruns; "
                        "delete OUT/peql/<problem>.s<seed>.run to retrain)")
    p.add_argument("--list", action="store_true", help="print the problems with their laws and stop")
    p.set_defaults(func=_cmd_suite)


def _cmd_suite(args) -> int:
    from ..results.files import is_peql_json
    from ..results.guard import FILE, FOLDER, check_output
    from ..suite import HELD_OUT, PROBLEMS
    from ..suite.methods import METHODS
    from ..suite.run import read_records, record_path, run_suite, select_problems
    from ..suite.table import markdown

    if args.list:
        for name, p in PROBLEMS.items():
            print(f"{name:<30} {p.category:<14} {'held-out ' if name in HELD_OUT else ''}{p.description}")
        return 0
    methods = _split(args.methods) or []
    unknown = [m for m in methods if m not in METHODS]
    if unknown or not methods:
        raise ValueError(f"--methods: unknown {unknown or methods}; known: {', '.join(METHODS)}")
    try:
        seeds = [int(s) for s in _split(args.seeds) or []]
    except ValueError:
        raise ValueError(f"--seeds: expected comma-separated integers, got {args.seeds!r}") from None
    if not seeds:
        raise ValueError("--seeds: give at least one seed")
    problems = select_problems(_split(args.problems), args.part)
    out = check_output(args.output, FOLDER, owned=lambda p: True, what="suite records and table.md")
    table = check_output(out / "table.md", FILE, owned=_is_suite_table, what="the suite table")
    for m in methods:
        for p in problems:
            for s in seeds:
                path = record_path(out, m, p, s)
                if path.exists() and not is_peql_json(path):
                    check_output(path, FILE, what="a suite record")  # refuses, naming the file
    records = run_suite(out, problems, methods, seeds, force=args.force,
                        log=lambda line: print(line, file=sys.stderr, flush=True))
    all_records = read_records(out)
    command = "peql suite " + " ".join(shlex.quote(a) for a in sys.argv[2:]) if sys.argv[1:2] == ["suite"] else ""
    from ..results.files import atomic_bytes

    atomic_bytes(table, lambda tmp: Path(tmp).write_text(markdown(all_records, command)))
    print(f"peql suite: {len(records)} records; wrote {table} (every record under {out})")
    return 0


def _is_suite_table(path) -> bool:
    """Whether ``path`` is a table this command wrote (its first line)."""
    from ..suite.table import TITLE

    try:
        return Path(path).read_text().startswith(TITLE)
    except (OSError, UnicodeDecodeError):
        return False
