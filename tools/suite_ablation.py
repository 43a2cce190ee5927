"""Which read-out step moved which suite rows: peql's kept checkpoints of a suite folder read out
again through several chains (no training), every refined law judged by DESIGN 6b.

    peql suite --methods peql -o results-suite          # trains and keeps a checkpoint per problem
    python tools/suite_ablation.py results-suite        # the ablation table (Markdown)

Chains compared: the full chain; the full chain without ``support`` (and the polish after it);
``refit`` alone. The network's own law is the same in all of them (the ``network`` column of the
suite table).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def variants() -> dict[str, tuple[str, ...]]:
    from peql.symbolic.chain import FULL_CHAIN

    k = FULL_CHAIN.index("support")
    return {"full chain": FULL_CHAIN, "without support": FULL_CHAIN[:k] + FULL_CHAIN[k + 2:],
            "refit only": ("refit",)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("folder", type=Path, help="a `peql suite` results folder with peql records")
    p.add_argument("--problems", help="comma-separated (default: every peql record with a checkpoint)")
    args = p.parse_args(argv)

    from peql.suite import PROBLEMS
    from peql.suite.methods import run_peql
    from peql.suite.score import score_expressions

    only = set(args.problems.split(",")) if args.problems else None
    chains = variants()
    rows = []
    for rec_path in sorted((args.folder / "peql").glob("*.json")):
        rec = json.loads(rec_path.read_text())
        run = rec_path.with_suffix(".run")
        if rec.get("problem") not in PROBLEMS or not run.is_dir() or (only and rec["problem"] not in only):
            continue
        data = PROBLEMS[rec["problem"]].generate(rec["seed"])
        row = {"problem": rec["problem"], "category": rec["category"], "held_out": rec["held_out"]}
        for label, chain in chains.items():
            out = run_peql(data, rec["seed"], run, readout=chain)
            row[label] = score_expressions(data, out["laws"]["refined"])["correct"]
        print(json.dumps(row), file=sys.stderr, flush=True)
        rows.append(row)
    labels = list(chains)
    print("| problem | category | " + " | ".join(labels) + " |")
    print("|" + "---|" * (2 + len(labels)))
    for r in rows:
        moved = " (moved)" if len({r[lab] for lab in labels}) > 1 else ""
        print(f"| `{r['problem']}`{moved} | {r['category']} | " + " | ".join("yes" if r[lab] else "no" for lab in labels) + " |")
    print("| **right** | | " + " | ".join(f"{sum(r[lab] for r in rows)}/{len(rows)}" for lab in labels) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
