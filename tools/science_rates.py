"""How robust the suite's science tests are: each test's fit rerun at another seed and another
number of torch threads (floating-point results differ across CPUs, so a structure assertion on
one seed is a coin toss unless its rate has a margin). Prints one JSON line per run: whether the
selected trial's refined and network laws are right (DESIGN 6b) and the success rates.

    python tools/science_rates.py                 # every test, seeds 0 and 1, 1 and 2 threads
    python tools/science_rates.py --tests tx_seql,latent --seeds 0,1,2 --threads 2

One process per run (threads are set once per process); about 25 minutes on two quiet cores.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TESTS = ("tx_seql", "tx_heql", "jump", "sine", "scattered", "latent", "f3_tiny", "f3_run_fits")


def run_one(test: str, seed: int) -> dict:
    """One test's fit at ``seed`` in this process; the verdicts of its selected trial and its rates."""
    import peql
    from peql.fit import FitSettings
    from peql.pipeline import extract_run, fit_dataset, load_run, score

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if test in ("jump", "sine", "scattered"):
            return _discover_case(test, seed)
        if test in ("tx_seql", "tx_heql"):
            registry = peql.load_registry(None, autoload=False)
            ds = _tx_dataset(registry)
            kw = {"tx_seql": dict(architecture="seql", steps=2000),
                  "tx_heql": dict(architecture="heql", steps=3000, lr=1e-2, target_normalisation="global")}[test]
            settings = FitSettings(trials=8, seed=seed, device="cpu", **kw)
        elif test == "latent":
            sys.path.insert(0, str(REPO / "tests"))
            from tasks.test_latent import CENTROID_PLUGIN

            (tmp / "plugins").mkdir()
            (tmp / "plugins" / "centroid.py").write_text(textwrap.dedent(CENTROID_PLUGIN))
            registry = peql.load_registry(tmp / "plugins", autoload=False)
            ds = registry.get("systems", "spring_force").simulate(seed=0, grid="uniform", n_t=4, n_train=64, n_val=32,
                                                                  n_test=64)
            settings = FitSettings(architecture="seql", trials=2, steps=1500, encoder="centroid", device="cpu",
                                   seed=seed, samples_per_group=16, network={"hidden_layers": 1})
        else:   # the tiny workflow's f3 (2 x 300) and tools/run_fits.py's test (3 x 400)
            registry = peql.load_registry(None, autoload=False)
            ds = registry.get("systems", "f3_linear").simulate()
            trials, steps = (2, 300) if test == "f3_tiny" else (3, 400)
            settings = FitSettings(architecture="seql", trials=trials, steps=steps, device="cpu", seed=seed)
        fit_dataset(ds, tmp / "run", settings, registry, progress=False)
        doc = extract_run(tmp / "run", ds, tmp / "eq", registry=registry)
        s = score(doc, ds, load_run(tmp / "run", ds, registry), registry)
    return {"selected_refined": s["refined"].get("structure_correct"),
            "selected_network": s["network"].get("structure_correct"),
            "success_refined": s["refined"].get("success_rate"), "success_network": s["network"].get("success_rate")}


def _tx_dataset(registry):
    """tests/helpers.make_tx as a peql dataset (y = t x, 32 values of t)."""
    import numpy as np

    sys.path.insert(0, str(REPO / "tests"))
    from helpers import make_tx
    from peql.data import tabular_dataset

    train, test, val, grid = make_tx()
    parts = {"train": train, "val": val, "test": test}
    x = np.concatenate([p[0] for p in parts.values()])
    return tabular_dataset(inputs=x, target=np.concatenate([p[1] for p in parts.values()]),
                           param=np.concatenate([p[2] for p in parts.values()]),
                           split=np.concatenate([[k] * len(p[1]) for k, p in parts.items()]), feature_names=["x"],
                           system="tx", param_name="t", target_name="y", true_equation="a(t)*x",
                           true_coef={"a": grid}, param_values=grid, settings={}, score_split="test")


def _discover_case(name: str, seed: int) -> dict:
    sys.path.insert(0, str(REPO / "tests" / "discover"))
    import discover_cases as dc
    from peql.discover import ParametricRegressor

    case = {"jump": dc.two_inputs_with_a_jump, "sine": dc.coefficient_inside_a_sine,
            "scattered": dc.scattered_parameter}[name]()
    kw = {"jump": dict(trials=4, steps=2000), "sine": dict(trials=8, steps=3000),
          "scattered": dict(trials=4, steps=2000)}[name]
    reg = ParametricRegressor(seed=seed, **kw).fit(case.X, case.y, case.t, input_names=case.inputs)
    verdict, _ = dc.judge(reg.document_, case, reg.train_)
    network = dict(reg.document_, **reg.document_["network"])
    net_verdict, _ = dc.judge(network, case, reg.train_) if network.get("equations") else (None, None)
    return {"selected_refined": verdict.correct, "selected_network": None if net_verdict is None else net_verdict.correct}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tests", default=",".join(TESTS))
    p.add_argument("--seeds", default="0,1")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--one", nargs=3, metavar=("TEST", "SEED", "THREADS"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.one:
        import torch

        test, seed, threads = args.one[0], int(args.one[1]), int(args.one[2])
        torch.set_num_threads(threads)
        t0 = time.time()
        out = run_one(test, seed)
        print(json.dumps({"test": test, "seed": seed, "threads": threads, **out, "s": round(time.time() - t0)}))
        return 0
    for test in args.tests.split(","):
        for threads in args.threads.split(","):
            for seed in args.seeds.split(","):
                out = subprocess.run([sys.executable, __file__, "--one", test, seed, threads], capture_output=True,
                                     text=True)
                print(out.stdout.strip() or out.stderr.strip().splitlines()[-1], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
