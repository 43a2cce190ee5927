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


def readout_steps(config: Mapping[str, Any]) -> list[str]:
    """The read-out chain of the workflow's extract (:mod:`peql.symbolic.chain`): the config's
    ``readout`` list, else the full chain (nothing with ``refit: false``)."""
    from ..symbolic.chain import WORKFLOW_CHAIN, check_chain

    if config.get("readout") is not None:
        return list(check_chain(config["readout"]))
    return list(WORKFLOW_CHAIN) if config.get("refit", True) else []


def check_config(config: Mapping[str, Any], registry) -> None:
    """Check what the schema cannot: every component name is registered, every (dataset, method)
    pair's fit settings are valid for its architecture (network units, architecture and encoder
    options included), every dataset's system settings, derive options and every baseline's
    settings. Called when the Snakefile reads its config, so ``snakemake -n`` fails on a bad key
    or value, naming where it is, instead of a job failing later.

    Raises:
        ValueError: ``config <where>: <problem>``.
    """
    def where(path: str, check) -> Any:
        try:
            return check()
        except (ValueError, TypeError, KeyError) as exc:
            raise ValueError(f"config {path}: {exc}") from None

    where("readout", lambda: readout_steps(config))
    for name, ds in config["datasets"].items():
        system = where(f"datasets.{name}.system", lambda: registry.get("systems", ds["system"]))
        where(f"datasets.{name}.settings", lambda: system.resolve(**dict(ds.get("settings") or {})))
        derive = ds.get("derive")
        if derive:
            where(f"datasets.{name}.derive.method", lambda: registry.get("derivatives", derive["method"]))
            where(f"datasets.{name}.derive.time_method",
                  lambda: registry.get("derivatives", derive.get("time_method", "fd4")))
    for name, method in config["methods"].items():
        if "architecture" in method:
            where(f"methods.{name}.architecture", lambda: registry.get("architectures", method["architecture"]))
        else:
            baseline = where(f"methods.{name}.baseline", lambda: registry.get("baselines", method["baseline"]))
            where(f"methods.{name}.settings", lambda: baseline.resolve(**dict(method.get("settings") or {})))
    for i, run in enumerate(config["runs"]):
        for key, known in (("datasets", config["datasets"]), ("methods", config["methods"])):
            for item in run[key]:
                if item not in known:
                    raise ValueError(f"config runs[{i}].{key}: unknown {key[:-1]} {item!r}; defined: {', '.join(known)}")
        for method in run["methods"]:
            if "architecture" not in config["methods"][method]:
                continue
            for dataset in run["datasets"]:
                settings = fit_settings(config, dataset, method)
                where(f"methods.{method}.fit (with runs[{i}].fit for {dataset})",
                      lambda: check_fit_settings(settings, registry))


def check_fit_settings(settings: Mapping[str, Any], registry) -> None:
    """Fit settings checked as far as is possible without data: the values, the network spec,
    and the architecture's (and encoder's) options, by building a one-trial network on a
    stand-in layout (two inputs, two parameter values)."""
    import torch

    from ..fit.settings import FitSettings
    from ..nn.base import ModelContext
    from ..nn.spec import NetworkSpec

    fs = FitSettings.from_dict(dict(settings)).resolved()
    spec = NetworkSpec.from_dict(fs.network)
    arch = registry.get("architectures", fs.architecture)
    prims = {n: registry.get("primitives", n) for n in registry.names("primitives")}
    with torch.device("cpu"):
        arch.build(ModelContext(n_trials=1, input_names=["x0", "x1"], n_groups=2, spec=spec, primitives=prims,
                                options=fs.options))
        if fs.encoder:
            encoder = registry.get("encoders", fs.encoder)
            channels = int((fs.encoder_options or {}).get("in_channels", 1))
            shape = ((channels,) if channels > 1 else ()) + (64,) * encoder.image_dims
            encoder.build(1, shape, fs.encoder_options)
