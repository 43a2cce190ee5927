"""A kind of experiment peql does not know, added by this file alone: datasets of kind ``ratio``
(variables ``u``, ``w``, ``param``, ``split``: no ``inputs``/``target`` layout) with the law
``w = t u``, a system that writes them and a task that fits, reads out, scores and reports them.
tests/tasks/test_new_task.py runs it through the command line and a workflow."""

import json

import numpy as np
import xarray as xr

import peql
from peql.data import System
from peql.fit import checkpoint as ckpt
from peql.fit.data import GroupedData
from peql.fit.models import build_network
from peql.fit.settings import resolve_device
from peql.report.page import Section


def _generate(run):
    rng = run.rng("samples")
    t = np.repeat(np.linspace(0.5, 2.0, run.settings["n_t"]), run.settings["n"])
    u = rng.uniform(-1, 1, t.size)
    split = np.where(rng.random(t.size) < 0.25, "val", "train")
    return xr.Dataset({"u": ("sample", u), "w": ("sample", t * u), "param": ("sample", t), "split": ("sample", split)},
                      attrs={"system": run.system, "kind": "ratio", "settings": json.dumps(run.record),
                             "peql_dataset_version": 1, "param_name": "t"})


def _rows(ds, split):
    m = ds["split"].values == split
    return ds["u"].values[m][:, None], ds["w"].values[m], ds["param"].values[m]


class RatioTask(peql.Task):
    name = "ratio_task"
    kinds = ("ratio",)
    description = "w = c(t) u from a ratio dataset (a test plugin)"

    def training_data(self, ds, settings):
        x, y, p = _rows(ds, "train")
        data = GroupedData(x, y, p, ["u"], "t", settings.target_normalisation, resolve_device(settings.device))
        return data, ckpt.data_fingerprint(x, y, p), build_network

    def read_out(self, result, ds, threshold, steps, provenance):
        from peql.tasks.tabular import equations_document

        return equations_document(result, _rows(ds, "train"), _rows(ds, "val"), threshold, steps, provenance, self.name)

    def score(self, doc, ds, result=None):
        x, y, p = _rows(ds, "val")
        slope = {e["param"]: e["expression"] for e in doc["equations"]}
        ok = all(abs(float(peql_expr_at(slope[v], 1.0)) - v) < 0.05 * v for v in np.unique(p) if v in slope)
        return {"method": doc["architecture"], "system": ds.attrs["system"], "slope_right": bool(slope) and ok}

    def report(self, name, ds, docs, scores, figures):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=(4, 3))
        FigureCanvasAgg(fig)
        ax = fig.add_subplot(1, 1, 1)
        ax.plot(ds["u"].values, ds["w"].values, ".", ms=2)
        path = figures / f"{name}__ratio.png"
        fig.savefig(path)
        rows = [{"method": m, "skeleton": d.get("skeleton")} for m, d in docs.items()]
        return Section(name, ds.attrs["system"], "w = t*u", [path], [], rows)


def peql_expr_at(expression, u):
    import sympy

    return sympy.sympify(expression).subs(sympy.Symbol("u"), u)


@peql.hookimpl
def register_systems(register):
    register(System("toy_ratio", "w = t u stored as a ratio dataset (a test plugin)", "ratio", {"n_t": 6, "n": 48},
                    _generate))


@peql.hookimpl
def register_tasks(register):
    register(RatioTask())
