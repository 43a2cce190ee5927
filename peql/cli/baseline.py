"""Command-line verb of the baselines: ``peql baseline NAME DATA -o OUT.json``."""

from __future__ import annotations

import argparse
import sys


def _assignment(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key.strip(), value.strip()


def add_commands(sub) -> None:
    p = sub.add_parser(
        "baseline", help="fit a non-network baseline (sgtr, sindy, sindy_cp) and write equations.json",
        description="Fit a registered baseline on a dataset's features and write its equations in "
                    "the same equations.json contract as the networks.")
    p.add_argument("name", help="baseline name (see `peql list baselines`)")
    p.add_argument("data", help="dataset store (tabular, or a PDE field after `peql derive`)")
    p.add_argument("-o", "--output", required=True,
                   help="results folder: equations.json and coefficients.zarr are written inside it "
                        "(as peql extract does); files there that peql did not write are never replaced")
    p.add_argument("--set", dest="settings", type=_assignment, action="append", default=[],
                   metavar="KEY=VALUE",
                   help="override a setting, e.g. library=products, threshold=0.1, "
                        "'basis=[\"1\",\"sin(t)\"]' (repeatable)")
    p.add_argument("--split", default="train",
                   help="split to fit on: train (default), val, test or all")
    p.set_defaults(func=_cmd_baseline)


def _cmd_baseline(args) -> int:
    from ..plugins import get_registry
    from ..results import check_results_folder, write_coefficients, write_json
    from ..baselines.run import run_on_dataset

    if args.output.endswith(".json"):
        raise ValueError(f"-o names a results folder (equations.json is written inside it), got {args.output!r}; "
                         f"e.g. -o {args.output[:-5] or 'results'}")
    registry = get_registry(args.plugins_dir)
    registry.entry("baselines", args.name)  # an unknown name fails before the data are read
    out = check_results_folder(args.output, [args.data])
    try:
        doc = run_on_dataset(args.data, args.name, dict(args.settings), registry, args.split)
    except ImportError as exc:  # a missing optional dependency: the message says what to install
        print(f"peql baseline: error: {exc}", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    write_coefficients(doc, out / "coefficients.zarr")
    write_json(doc, out / "equations.json", "equations")
    print(f"{args.name}: wrote {out / 'equations.json'} (skeleton {doc['skeleton']}; "
          f"{len(doc['equations'])} parameter values; {doc['wall_time_s']:.2f} s)")
    return 0
