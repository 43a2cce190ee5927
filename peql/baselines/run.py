"""A registered baseline run on a peql dataset, with the provenance every equations document
records (the system and the data fingerprint that ``peql evaluate`` checks)."""

from __future__ import annotations

from typing import Any, Mapping


def run_on_dataset(dataset, name: str, settings: Mapping[str, Any] | None, registry,
                   split: str = "train") -> dict[str, Any]:
    """The equations document of baseline ``name`` (looked up in ``registry``) fitted on ``split``
    of ``dataset`` (path or xarray Dataset)."""
    from ..data import dataset_fingerprint, input_names, read_dataset, split_arrays

    entry = registry.entry("baselines", name)
    ds = dataset if hasattr(dataset, "attrs") else read_dataset(dataset)
    x, y, param = split_arrays(ds, split)
    doc = entry.component.run(x, y, param, input_names(ds), ds.attrs.get("param_name", "t"), **dict(settings or {}))
    doc["provenance"] = {"dataset": ds.attrs.get("system") if hasattr(dataset, "attrs") else str(dataset),
                         "split": split, "system": ds.attrs.get("system"),
                         "data_fingerprint": dataset_fingerprint(ds), "plugin": entry.provenance.plugin,
                         "version": entry.provenance.version}
    return doc
