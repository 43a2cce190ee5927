"""The score table of a results folder (the workflow's, or tools/run_fits.py's) as Markdown, every
verdict labelled network or refined (DESIGN 6b): the command behind the tables in docs/.

    python tools/score_table.py results                      # every (dataset, method) pair
    python tools/score_table.py results --only f1_sgn,burgers

Columns: the refined skeleton; structure right by DESIGN 6b for the selected trial's network law
and refined law; success rates over trials (network / refined); the refined law's relative L1
coefficient error with the number of (term, parameter value) pairs compared; the network's and
the refined law's MSE on the scored split in the paper's units (target min-max normalised per
parameter value).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _fmt(v, spec: str = ".3g") -> str:
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return format(v, spec)
    return str(v)


def rows(results: Path, only: set[str] | None = None) -> list[dict]:
    """One row per scores file below ``results/scores``."""
    out = []
    for path in sorted((results / "scores").glob("*/*.json")):
        dataset, method = path.parent.name, path.stem
        if only and dataset not in only:
            continue
        s = json.loads(path.read_text())
        net, ref = s.get("network") or {}, s.get("refined") or {}
        out.append({
            "dataset": dataset, "method": method, "skeleton (refined)": s.get("skeleton"),
            "right: network": net.get("structure_correct"), "right: refined": ref.get("structure_correct"),
            "success: network": net.get("success_rate"), "success: refined": ref.get("success_rate"),
            "coef rel L1 % (refined)": ref.get("coef_rel_l1_pct"), "n compared": ref.get("n_compared"),
            f"network MSE ({s.get('score_split')}, paper units)": net.get("test_mse_paper_units"),
            f"refined law MSE ({s.get('score_split')}, paper units)": ref.get("test_mse_paper_units"),
        })
    return out


def markdown(table: list[dict]) -> str:
    if not table:
        return "(no scores)"
    cols = list(dict.fromkeys(k for r in table for k in r))
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in table:
        cells = [f"`{r[c]}`" if c.startswith("skeleton") and r.get(c) else
                 _fmt(r.get(c), ".2f" if "success" in c else ".3g") for c in cols]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("results", type=Path, help="a results folder with scores/<dataset>/<method>.json")
    p.add_argument("--only", help="comma-separated datasets")
    args = p.parse_args(argv)
    print(markdown(rows(args.results, set(args.only.split(",")) if args.only else None)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
