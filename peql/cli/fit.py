"""Command-line verbs of a run: ``peql fit``, ``peql extract``, ``peql evaluate``."""

from __future__ import annotations

import argparse
import json
from typing import Any

import yaml


def assignment(item: str) -> str:
    """An argparse ``type`` for ``--set``: argparse reports a malformed item as a usage error."""
    key, sep, _ = item.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {item!r}")
    return item


def parse_assignments(items: list[str]) -> dict[str, Any]:
    """``["trials=8", "network.hidden_layers=3"]`` -> nested dict; values parsed as YAML."""
    out: dict[str, Any] = {}
    for item in items:
        key, _, value = assignment(item).partition("=")
        node = out
        parts = key.strip().split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = yaml.safe_load(value)
    return out


def add_commands(sub) -> None:
    p = sub.add_parser("fit", help="train one architecture on a dataset, N trials batched (resumable)")
    p.add_argument("dataset", help="peql dataset (zarr) with a train split")
    p.add_argument("-o", "--run-dir", required=True,
                   help="run folder (created if needed): checkpoint.pt is written inside it, nothing else is touched")
    p.add_argument("--arch", default="seql", help="architecture (`peql list architectures`)")
    p.add_argument("--trials", type=int, default=8)
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="auto", help="auto (CUDA when present), cpu or cuda")
    p.add_argument("--config", help="YAML file of fit settings (keys of peql.fit.FitSettings)")
    p.add_argument("--set", dest="assign", action="append", default=[], metavar="KEY=VALUE", type=assignment,
                   help="override a setting, e.g. lr=0.01 or network.hidden_layers=3 (repeatable)")
    p.add_argument("--quiet", action="store_true", help="log lines instead of a progress bar")
    p.set_defaults(func=_cmd_fit)

    p = sub.add_parser("extract", help="select a trial and read out equations.json")
    p.add_argument("run_dir")
    p.add_argument("dataset", help="the dataset the run was fitted on (its val split selects the trial)")
    p.add_argument("-o", "--output", required=True,
                   help="results folder: equations.json and coefficients.zarr are written inside it; files there "
                        "that peql did not write are never replaced")
    p.add_argument("--threshold", type=float, default=0.01,
                   help="drop terms below this in the network's units: largest value over the training inputs' box divided by the target range (default 0.01; 0 keeps every term)")
    p.add_argument("--readout", help="the read-out chain, comma-separated steps in order (default: "
                   "refit, prune, polish, merge, polish, support, polish, orient, closed_form; "
                   "peql.symbolic.chain.FULL_CHAIN)")
    p.add_argument("--no-refit", action="store_true", help="no read-out chain: the network's own law as the result")
    p.set_defaults(func=_cmd_extract)

    p = sub.add_parser("evaluate", help="score equations (and a run's predictions) against the truth")
    p.add_argument("equations", help="equations.json, or the results folder that extract / baseline wrote")
    p.add_argument("dataset", help="the dataset the equations were read out from")
    p.add_argument("-o", "--output", required=True,
                   help="scores file (JSON) to write; an existing file is replaced only when peql wrote it")
    p.add_argument("--run-dir", help="the fitted run (scores its predictions and every trial)")
    p.add_argument("--force", action="store_true",
                   help="score equations against data other than those they were read out from")
    p.set_defaults(func=_cmd_evaluate)


def _settings(args):
    from ..fit.settings import FitSettings

    data: dict[str, Any] = {}
    if args.config:
        with open(args.config) as fh:
            data.update(yaml.safe_load(fh) or {})
    data.update({"architecture": args.arch, "trials": args.trials, "steps": args.steps,
                 "seed": args.seed, "device": args.device})
    for key, value in parse_assignments(args.assign).items():
        data[key] = {**data.get(key, {}), **value} if isinstance(value, dict) else value
    return FitSettings.from_dict(data)


def _cmd_fit(args) -> int:
    from ..plugins import get_registry
    from ..results import FOLDER, check_output
    from ..pipeline.runs import fit_dataset

    settings = _settings(args)
    check_output(args.run_dir, FOLDER, inputs=[args.dataset], owned=lambda p: True, what="a run folder")
    result = fit_dataset(args.dataset, args.run_dir, settings, get_registry(args.plugins_dir),
                         progress=not args.quiet, quiet=args.quiet)
    final = result.history[-1][1] if result.history else []
    print(f"{result.settings.architecture}: {result.settings.trials} trials x {result.settings.steps} steps "
          f"in {result.wall_time:.1f} s (resumed from step {result.resumed_from}); restarts {sum(result.restarts)}; "
          f"best final loss {min(final) if final else float('nan'):.3g}")
    return 0


def _cmd_extract(args) -> int:
    from ..plugins import get_registry
    from ..pipeline.runs import extract_run
    from ..symbolic.chain import FULL_CHAIN

    registry = get_registry(args.plugins_dir)
    steps = [] if args.no_refit else args.readout.split(",") if args.readout else list(FULL_CHAIN)
    doc = extract_run(args.run_dir, args.dataset, args.output, args.threshold, [s for s in steps if s], registry)
    for line in registry.get("tasks", doc["task"]).describe(doc):
        print(line)
    return 0


def _cmd_evaluate(args) -> int:
    from ..pipeline.runs import evaluate_files
    from ..plugins import get_registry

    scores = evaluate_files(args.equations, args.dataset, args.output, args.run_dir,
                            get_registry(args.plugins_dir), force=args.force)
    keys = ("structure_correct", "success_rate", "test_mse", "coef_mse", "coef_rel_l1_pct")
    print(json.dumps({k: scores.get(k) for k in keys}))
    return 0
