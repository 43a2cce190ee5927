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
    p.add_argument("-o", "--output", required=True, help="equations.json to write (replaced if present)")
    p.add_argument("--set", dest="settings", type=_assignment, action="append", default=[],
                   metavar="KEY=VALUE",
                   help="override a setting, e.g. library=products, threshold=0.1, "
                        "'basis=[\"1\",\"sin(t)\"]' (repeatable)")
    p.add_argument("--split", default="train",
                   help="split to fit on: train (default), val, test or all")
    p.set_defaults(func=_cmd_baseline)


def _cmd_baseline(args) -> int:
    from ..data.dataset import input_names, split_arrays
    from ..data.store import read_dataset
    from ..plugins import get_registry
    from ..symbolic.extract import write_json

    entry = get_registry(args.plugins_dir).entry("baselines", args.name)
    ds = read_dataset(args.data)
    x, y, param = split_arrays(ds, args.split)
    try:
        doc = entry.component.run(x, y, param, input_names(ds), ds.attrs["param_name"],
                                  **dict(args.settings))
    except ImportError as exc:  # a missing optional dependency: the message says what to install
        print(f"peql baseline: error: {exc}", file=sys.stderr)
        return 2
    doc["provenance"] = {"dataset": str(args.data), "split": args.split,
                         "system": ds.attrs.get("system"), "plugin": entry.provenance.plugin,
                         "version": entry.provenance.version}
    write_json(doc, args.output)
    print(f"{args.name}: wrote {args.output} (skeleton {doc['skeleton']}; "
          f"{len(doc['equations'])} parameter values; {doc['wall_time_s']:.2f} s)")
    return 0
