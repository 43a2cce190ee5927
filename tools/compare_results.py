"""Compare two workflow results folders: every ``equations/**/equations.json``, ``scores/**/*.json``
and ``report/tables.json`` must be equal in keys and values, apart from keys that record when and
how fast something ran or where it came from (wall times, provenance, peql's version) and keys a
refactoring declares new (``--new task``). Numbers are compared with a relative tolerance
(``--rtol``, default 0: exactly).

    python tools/compare_results.py results-before results-after --new task
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

IGNORED = {"wall_time_s", "provenance", "peql_version", "equations_path", "fit_s", "total_s"}


def differences(a, b, path: str, ignored: set[str], rtol: float) -> list[str]:
    """Where two JSON values differ, as ``path: a != b`` lines."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            if key in ignored:
                continue
            if key not in a or key not in b:
                out.append(f"{path}.{key}: only in {'after' if key in b else 'before'}")
                continue
            out += differences(a[key], b[key], f"{path}.{key}", ignored, rtol)
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items != {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{path}[{i}]", ignored, rtol)]
    if isinstance(a, float) and isinstance(b, float) and not (isinstance(a, bool) or isinstance(b, bool)):
        if a == b or (math.isnan(a) and math.isnan(b)) or abs(a - b) <= rtol * max(abs(a), abs(b)):
            return []
    elif a == b:
        return []
    return [f"{path}: {json.dumps(a)[:120]} != {json.dumps(b)[:120]}"]


def compared_files(root: Path) -> list[Path]:
    return sorted([*root.glob("equations/**/equations.json"), *root.glob("scores/**/*.json"),
                   *root.glob("report/tables.json")])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("before", type=Path)
    p.add_argument("after", type=Path)
    p.add_argument("--new", default="", help="comma-separated keys the after run may add")
    p.add_argument("--rtol", type=float, default=0.0)
    args = p.parse_args(argv)
    ignored = IGNORED | {k for k in args.new.split(",") if k}
    before = {f.relative_to(args.before) for f in compared_files(args.before)}
    after = {f.relative_to(args.after) for f in compared_files(args.after)}
    problems = [f"{f}: only in before" for f in sorted(before - after)]
    problems += [f"{f}: only in after" for f in sorted(after - before)]
    for f in sorted(before & after):
        a, b = (json.loads((root / f).read_text()) for root in (args.before, args.after))
        problems += [f"{f}{d}" for d in differences(a, b, "", ignored, args.rtol)]
    print(f"{len(before & after)} files compared; {len(problems)} differences")
    for line in problems:
        print("  " + line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
