"""Run the fits of a workflow config without Snakemake, several processes at once.

For a machine that has peql's Python dependencies but no Snakemake (the GPU box used for the
paper-size acceptance runs). It reads the same config file over ``config.yaml`` and builds fit settings with
the workflow's own function (:mod:`peql.pipeline.workflow`), and calls the same stage
functions (:mod:`peql.pipeline`), writing the workflow's layout below ``results``::

    python tools/run_fits.py workflow/configs/paper.yaml --trials 16 --jobs 14 \
        --only f1_sgn,f2_jagged_sin --methods seql,heql

Network methods only (baselines are cheap: run them with the workflow). Not a replacement for the
workflow: no incremental reruns, no report.
"""

from __future__ import annotations

import argparse
import json
import time
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from peql import pipeline
from peql.pipeline.workflow import fit_settings, load_config, readout_steps


def _data(results: Path, name: str, cfg: dict) -> str:
    out = results / "data" / f"{name}.zarr"
    if out.exists():
        return str(out)
    if cfg.get("derive"):
        field = results / "fields" / f"{name}.zarr"
        pipeline.simulate_to(str(field), cfg["system"], cfg.get("noise", 0.0), cfg.get("seed", 0), cfg.get("settings"))
        pipeline.derive_to(str(field), str(out), cfg["derive"])
    else:
        pipeline.simulate_to(str(out), cfg["system"], cfg.get("noise", 0.0), cfg.get("seed", 0), cfg.get("settings"))
    return str(out)


def _pair(job: tuple) -> dict:
    results, dataset, method, settings, threshold, steps = job
    t0 = time.monotonic()
    run = results / "models" / dataset / method
    data = str(results / "data" / f"{dataset}.zarr")
    pipeline.fit_to(data, str(run / "done.json"), str(run), settings)
    fit_s = time.monotonic() - t0
    eq = results / "equations" / dataset / method / "equations.json"   # both laws: network and refined
    pipeline.extract_to(str(run), data, str(eq), threshold, steps)
    pipeline.evaluate_to(str(eq), data, str(results / "scores" / dataset / f"{method}.json"), str(run))
    return {"dataset": dataset, "method": method, "fit_s": fit_s, "total_s": time.monotonic() - t0}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("config")
    p.add_argument("--trials", type=int, help="override every method's trial count")
    p.add_argument("--jobs", type=int, default=4, help="pairs fitted at once")
    p.add_argument("--only", help="comma-separated datasets (default: all in the runs)")
    p.add_argument("--methods", help="comma-separated methods (default: all network methods)")
    p.add_argument("--device", help="override the config's device")
    p.add_argument("--base", default=str(Path(__file__).resolve().parents[1] / "config.yaml"),
                   help="the config the given one extends (default: the repository's config.yaml, the Snakefile's)")
    args = p.parse_args(argv)
    cfg = load_config(args.config, args.base)   # as `snakemake --configfile` merges it
    results = Path(cfg.get("results", "results"))
    only = set(args.only.split(",")) if args.only else None
    methods = set(args.methods.split(",")) if args.methods else None
    jobs = []
    for run in cfg["runs"]:
        for dataset in run["datasets"]:
            for method in run["methods"]:
                m = cfg["methods"][method]
                if "architecture" not in m or (only and dataset not in only) or (methods and method not in methods):
                    continue
                settings = fit_settings(cfg, dataset, method, args.device)
                if args.trials:
                    settings["trials"] = args.trials
                jobs.append((results, dataset, method, settings, cfg.get("threshold", 0.01), readout_steps(cfg)))
    for dataset in sorted({j[1] for j in jobs}):
        _data(results, dataset, cfg["datasets"][dataset])
    jobs.sort(key=lambda j: -int(j[3].get("steps", 0)))   # longest first
    t0 = time.monotonic()
    # spawn: a forked child must not inherit a parent's CUDA state
    with ProcessPoolExecutor(args.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        for done in as_completed([pool.submit(_pair, j) for j in jobs]):
            print(json.dumps(done.result()), flush=True)
    print(f"{len(jobs)} pairs in {time.monotonic() - t0:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
