"""Which read-out mechanism moved which suite rows: peql's kept checkpoints of a suite folder read
out again through several variants of the read-out (no training), every refined law judged by
DESIGN 6b.

    peql suite --methods peql -o results-suite          # trains and keeps a checkpoint per problem
    python tools/suite_ablation.py results-suite        # the ablation table (Markdown)

Variants (``--variants``, default all):
    ``full``: the full chain, as ``peql suite`` runs it;
    ``no-library``: the ``support`` step without the shape library (only the network's terms and
        the monomials are candidates);
    ``no-restarts``: ``polish`` without restarts from neighbouring parameter values;
    ``no-support``: the full chain without ``support`` (and the polish after it);
    ``refit``: ``refit`` alone.
The network's own law is the same in all of them (the ``network`` column of the suite table).
The two mechanisms inside the steps are switched off here, for this measurement only, by
replacing them for the duration of one variant.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path


@contextlib.contextmanager
def _switched_off(variant: str):
    """The read-out with one mechanism replaced by a no-op while the block runs."""
    from peql.symbolic import shape_library, tidy

    saved = (shape_library.SHAPES, tidy._continue_from_neighbours)
    if variant == "no-library":
        shape_library.SHAPES = ()
    elif variant == "no-restarts":
        tidy._continue_from_neighbours = lambda *args, **kwargs: None
    try:
        yield
    finally:
        shape_library.SHAPES, tidy._continue_from_neighbours = saved


def variants() -> dict[str, tuple[str, ...]]:
    """Variant name -> the chain it runs."""
    from peql.symbolic.chain import FULL_CHAIN

    k = FULL_CHAIN.index("support")
    return {"full": FULL_CHAIN, "no-library": FULL_CHAIN, "no-restarts": FULL_CHAIN,
            "no-support": FULL_CHAIN[:k] + FULL_CHAIN[k + 2:], "refit": ("refit",)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("folder", type=Path, help="a `peql suite` results folder with peql records")
    p.add_argument("--problems", help="comma-separated (default: every peql record with a checkpoint)")
    p.add_argument("--variants", help=f"comma-separated, of: {', '.join(variants())} (default: all)")
    p.add_argument("--seed", type=int, default=0, help="the records' seed (default 0)")
    args = p.parse_args(argv)

    from peql.suite import PROBLEMS
    from peql.suite.methods import run_peql
    from peql.suite.score import score_expressions

    only = set(args.problems.split(",")) if args.problems else None
    chains = variants()
    if args.variants:
        unknown = set(args.variants.split(",")) - set(chains)
        if unknown:
            p.error(f"unknown variant(s) {sorted(unknown)}; variants: {', '.join(chains)}")
        chains = {k: v for k, v in chains.items() if k in args.variants.split(",")}
    rows = []
    for rec_path in sorted((args.folder / "peql").glob(f"*.s{args.seed}.json")):
        rec = json.loads(rec_path.read_text())
        run = rec_path.with_suffix(".run")
        if rec.get("problem") not in PROBLEMS or not run.is_dir() or (only and rec["problem"] not in only):
            continue
        data = PROBLEMS[rec["problem"]].generate(rec["seed"])
        row = {"problem": rec["problem"], "category": rec["category"], "held_out": rec["held_out"]}
        for label, chain in chains.items():
            with _switched_off(label):
                out = run_peql(data, rec["seed"], run, readout=chain)
            row[label] = score_expressions(data, out["laws"]["refined"])["correct"]
        print(json.dumps(row), file=sys.stderr, flush=True)
        rows.append(row)
    labels = list(chains)
    for part, held in (("Working problems", False), ("Held-out third", True)):
        chosen = [r for r in rows if r["held_out"] == held]
        if not chosen:
            continue
        print(f"\n### {part}\n")
        print("| problem | category | " + " | ".join(labels) + " |")
        print("|" + "---|" * (2 + len(labels)))
        for r in chosen:
            moved = " (moved)" if len({r[lab] for lab in labels}) > 1 else ""
            print(f"| `{r['problem']}`{moved} | {r['category']} | "
                  + " | ".join("yes" if r[lab] else "no" for lab in labels) + " |")
        print("| **right** | | " + " | ".join(f"{sum(r[lab] for r in chosen)}/{len(chosen)}" for lab in labels) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
