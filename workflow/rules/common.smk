# Configuration checks, the component registry, wildcard constraints and input/param helpers.
# No rules here.
import json
import re

import peql
import peql.pipeline.workflow
from peql.nn.spec import NetworkSpec
from snakemake.utils import validate

validate(config, "../schemas/config.schema.yaml")

REGISTRY = peql.get_registry(config.get("plugins_dir"))
RESULTS = config["results"]


# Names, settings and options the schema cannot check: a bad key fails here, at `snakemake -n`.
peql.pipeline.workflow.check_config(config, REGISTRY)

#: (dataset, method) -> fit settings overrides of the run that named the pair (later runs win)
PAIRS = {}
for _run in config["runs"]:
    for _d in _run["datasets"]:
        for _m in _run["methods"]:
            PAIRS[(_d, _m)] = _run.get("fit", {})

FIELD_DATASETS = [d for d, c in config["datasets"].items() if c.get("derive")]
TABLE_DATASETS = [d for d in config["datasets"] if d not in FIELD_DATASETS]
NETWORK_METHODS = [m for m, c in config["methods"].items() if "architecture" in c]
BASELINE_METHODS = [m for m in config["methods"] if m not in NETWORK_METHODS]


def alternatives(names):
    """A regex matching exactly these names (never matching when empty)."""
    return "|".join(re.escape(n) for n in names) if names else "(?!x)x"


wildcard_constraints:
    dataset=alternatives(config["datasets"]),
    method=alternatives(config["methods"]),


def dataset_cfg(w):
    return config["datasets"][w.dataset]


def fit_settings(w):
    """Plain fit settings of one (dataset, method) pair: method defaults, then the run's."""
    return peql.pipeline.workflow.fit_settings(config, w.dataset, w.method)


def _units(settings):
    spec = NetworkSpec.from_dict(settings.get("network") or {})
    return [("primitives", u.name) for u in spec.units]


def fingerprint_dataset(w):
    c = dataset_cfg(w)
    parts = [("systems", c["system"])]
    if c.get("derive"):
        parts += [("derivatives", c["derive"]["method"]), ("derivatives", c["derive"].get("time_method", "fd4"))]
    return peql.fingerprint(REGISTRY, parts)


def fingerprint_method(w):
    m = config["methods"][w.method]
    if "architecture" in m:
        settings = fit_settings(w)
        encoder = [("encoders", settings["encoder"])] if settings.get("encoder") else []
        return peql.fingerprint(REGISTRY, [("architectures", m["architecture"]), *_units(settings), *encoder])
    return peql.fingerprint(REGISTRY, [("baselines", m["baseline"])])


def evaluate_inputs(w):
    inputs = {
        "equations": f"{RESULTS}/equations/{w.dataset}/{w.method}/equations.json",
        "data": f"{RESULTS}/data/{w.dataset}.zarr",
    }
    if w.method in NETWORK_METHODS:
        inputs["done"] = f"{RESULTS}/models/{w.dataset}/{w.method}/done.json"
    return inputs


def readout_steps():
    """The read-out chain of extract: the config's `readout`, else the refit (or nothing with `refit: false`)."""
    return peql.pipeline.workflow.readout_steps(config)


def all_pairs():
    return sorted(PAIRS)


def all_targets():
    return [f"{RESULTS}/report/index.html"]
