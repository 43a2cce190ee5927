"""A workflow config as Snakemake sees it, for code that runs its jobs without Snakemake.

``snakemake --configfile X`` does not replace the Snakefile's ``config.yaml``: it merges ``X`` into
it, recursively for mappings (lists and scalars are replaced). A config under
``workflow/configs/`` therefore inherits every key it leaves out, the network units of a method
included. The workflow (``workflow/rules/common.smk``), ``tools/run_fits.py`` and the tests build
fit settings through :func:`fit_settings`, so the three cannot disagree on what a pair trains with.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import yaml

DEFAULT_CONFIG = "config.yaml"  # the Snakefile's `configfile:`, relative to the working directory


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` laid over ``base``: mappings merge key by key, anything else is replaced."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def load_config(path: str | Path, base: str | Path | None = DEFAULT_CONFIG) -> dict[str, Any]:
    """The config Snakemake builds from ``--configfile path``: ``base`` (the Snakefile's
    ``config.yaml``; None for none) with ``path`` merged over it."""
    config = yaml.safe_load(Path(path).read_text()) or {}
    if base is None or Path(base).resolve() == Path(path).resolve():
        return config
    if not Path(base).exists():
        raise FileNotFoundError(f"{base} (the config that {path} extends) not found; run from the repository "
                                "root or pass base=")
    return merge(yaml.safe_load(Path(base).read_text()) or {}, config)


def fit_settings(config: Mapping[str, Any], dataset: str, method: str, device: str | None = None) -> dict[str, Any]:
    """Plain fit settings of one (dataset, method) pair of a network method: the method's ``fit``,
    then the ``fit`` of the last run naming the pair (key by key), its architecture and the
    config's ``device`` (or ``device``)."""
    m = config["methods"][method]
    if "architecture" not in m:
        raise ValueError(f"method {method!r} is a baseline, not a network method")
    settings = dict(m.get("fit", {}))
    named = [run for run in config["runs"] if dataset in run["datasets"] and method in run["methods"]]
    if not named:
        raise ValueError(f"no run of the config pairs dataset {dataset!r} with method {method!r}")
    settings.update(named[-1].get("fit", {}))
    return {**settings, "architecture": m["architecture"], "device": device or config.get("device", "auto")}
