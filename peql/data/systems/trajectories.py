"""The dynamical-system data sets of ``eql-integration.txt`` (kinematics and the simple harmonic
oscillator): a hidden parameter shared by two trajectories, one shown to an encoder and one to be
propagated from its initial state.

* ``kinematics``: a ~ U[-1, 1]; u = u0 + v0 t + a t^2 / 2, v = v0 + a t with u0, v0 ~ U[-1, 1];
  dt = 1, 100 encoder steps and 100 propagated steps (the original's sizes).
* ``sho``: omega^2 ~ U[0.1, 1]; u = u0 cos(w t) + v0/w sin(w t), v = -u0 w sin(w t) + v0 cos(w t),
  u0 ~ U[-1, 1], v0 ~ U[-v0_max, v0_max]; the paper's dt = 0.1, v0_max = 1 by default (the
  original code used dt = 50/499 and v0_max = 0.5); 500 encoder steps, 25 propagated steps.

Layout (kind ``"trajectories"``): dims ``sample`` (one hidden parameter each), ``step_in``,
``step``, ``state`` (coordinate ``["u", "v"]``); ``encoder_series(sample, step_in, state)`` (times
``time_in``), ``series(sample, step, state)`` (times ``time``; step 0 is the initial state the
propagator starts from), ``param(sample)`` (``a`` or ``omega2``), ``split(sample)``. The truth is
the exact one-step map: ``true_equation`` is a JSON object, state -> SymPy string in ``u``, ``v``
and coefficient functions of the parameter, e.g. ``{"u": "u + 1.0*v + b(a)", "v": "v + c(a)"}``,
with ``true_coef(param_value, term)`` at every sample's parameter. ``true_update`` is the same
map as SymPy strings in ``u``, ``v`` and the parameter symbol (what read-out equations are judged
against) and ``euler_update`` Euler's step of the same ODE, for comparison. Noise (fraction of each state's
training std) is added to the train and val series; test series stay clean.
"""

from __future__ import annotations

import json

import numpy as np
import sympy
import xarray as xr

from ..dataset import DATASET_VERSION, validate_dataset
from ..noise import add_noise
from .base import Run, System


def kinematics_states(u0, v0, a, t):
    """Exact (u, v) at times ``t`` (last axis) for constant acceleration ``a``."""
    u0, v0, a = (np.asarray(q, dtype=np.float64)[..., None] for q in (u0, v0, a))
    return u0 + v0 * t + a * t**2 / 2, v0 + a * t


def sho_states(u0, v0, omega2, t):
    """Exact (u, v) at times ``t`` (last axis) of u'' = -omega2 u."""
    u0, v0, w = (np.asarray(q, dtype=np.float64)[..., None] for q in (u0, v0, np.sqrt(omega2)))
    c, s = np.cos(w * t), np.sin(w * t)
    return u0 * c + v0 / w * s, -u0 * w * s + v0 * c


def _kinematics_truth(dt: float):
    eq = {"u": f"u + {dt!r}*v + b(a)", "v": "v + c(a)"}
    return eq, {"b": lambda a: a * dt**2 / 2, "c": lambda a: a * dt}


def _kinematics_updates(dt: float) -> tuple[dict, dict]:
    """(the exact one-step map, Euler's step) in u, v, a."""
    return ({"u": f"u + {dt!r}*v + {dt**2 / 2!r}*a", "v": f"v + {dt!r}*a"},
            {"u": f"u + {dt!r}*v", "v": f"v + {dt!r}*a"})


def _sho_updates(dt: float) -> tuple[dict, dict]:
    """(the exact one-step map's Taylor polynomial to third order in dt, Euler's step) in u, v,
    omega2. The dropped fourth-order terms are below 1e-4 of the state at dt = 0.1, far under the
    1 % significance of the structure rule, so the polynomial judges exactly as the exact map."""
    u, v, o, h = sympy.symbols("u v omega2 h")
    w = sympy.sqrt(o)
    exact = {"u": sympy.cos(w * h) * u + sympy.sin(w * h) / w * v,
             "v": -w * sympy.sin(w * h) * u + sympy.cos(w * h) * v}
    taylor = {k: str(sympy.expand(sympy.series(e, h, 0, 4).removeO().subs(h, sympy.Float(dt))))
              for k, e in exact.items()}
    return taylor, {"u": f"u + {dt!r}*v", "v": f"v - {dt!r}*omega2*u"}


def _sho_truth(dt: float):
    eq = {"u": "p(omega2)*u + q(omega2)*v", "v": "r(omega2)*u + p(omega2)*v"}
    w = np.sqrt
    return eq, {"p": lambda o: np.cos(w(o) * dt), "q": lambda o: np.sin(w(o) * dt) / w(o),
                "r": lambda o: -w(o) * np.sin(w(o) * dt)}


_SPECS = {  # name -> (parameter symbol, exact states, truth of the one-step map, update equations)
    "kinematics": ("a", kinematics_states, _kinematics_truth, _kinematics_updates),
    "sho": ("omega2", sho_states, _sho_truth, _sho_updates),
}


def _draw(run: Run, split: str, n: int):
    s = run.settings
    g = run.rng(split)
    lo, hi = s["param_min"], s["param_max"]
    param = g.uniform(lo, hi, size=n)
    v0_max = s.get("v0_max", 1.0)
    init = [(g.uniform(-1, 1, n), g.uniform(-v0_max, v0_max, n)) for _ in range(2)]
    return param, init


def _generate(run: Run):
    s = run.settings
    name, states, truth, updates = _SPECS[run.system]
    if not s["param_min"] < s["param_max"]:
        raise ValueError(f"setting param_min={s['param_min']} must be below param_max={s['param_max']}")
    if run.system == "sho" and s["param_min"] <= 0:
        raise ValueError(f"sho needs param_min > 0 (omega^2 must be positive), got {s['param_min']}")
    dt = s["dt"]
    t_in, t_out = dt * np.arange(s["steps_in"]), dt * np.arange(s["steps_out"] + 1)
    series = {"encoder_series": [], "series": []}
    params, splits = [], []
    for split in ("train", "val", "test"):
        n = s[f"n_{split}"]
        param, ((eu0, ev0), (pu0, pv0)) = _draw(run, split, n)
        series["encoder_series"].append(np.stack(states(eu0, ev0, param, t_in), axis=-1))
        series["series"].append(np.stack(states(pu0, pv0, param, t_out), axis=-1))
        params.append(param)
        splits += [split] * n
    n_noisy = s["n_train"] + s["n_val"]
    data = {}
    for key, parts in series.items():
        arr = np.concatenate(parts)
        scale = np.std(arr[:s["n_train"]], axis=(0, 1))  # one scale per state
        for i in range(arr.shape[-1]):
            arr[:n_noisy, :, i] = add_noise(arr[:n_noisy, :, i], run.noise,
                                            run.rng(f"noise/{key}/{i}"), float(scale[i]))
        data[key] = arr
    param = np.concatenate(params)
    equations, coefs = truth(dt)
    true_update, euler_update = updates(dt)
    values = np.unique(param)
    ds = xr.Dataset(
        {"encoder_series": (("sample", "step_in", "state"), data["encoder_series"]),
         "series": (("sample", "step", "state"), data["series"]),
         "param": ("sample", param), "split": ("sample", np.asarray(splits)),
         "true_coef": (("param_value", "term"), np.stack([f(values) for f in coefs.values()], 1))},
        coords={"time_in": ("step_in", t_in), "time": ("step", t_out),
                "state": np.array(["u", "v"]), "param_value": values,
                "term": np.array(list(coefs))},
        attrs={"system": run.system, "kind": "trajectories", "param_name": name,
               "true_equation": json.dumps(equations), "true_update": json.dumps(true_update),
               "euler_update": json.dumps(euler_update), "settings": json.dumps(run.record,
                                                                              sort_keys=True),
               "peql_dataset_version": DATASET_VERSION})
    return validate_dataset(ds)


SYSTEMS = [
    System("kinematics", "constant acceleration a ~ U[-1,1] shared by an encoder and a propagated "
           "trajectory", "trajectories",
           {"n_train": 100, "n_val": 20, "n_test": 100, "steps_in": 100, "steps_out": 100,
            "dt": 1.0, "param_min": -1.0, "param_max": 1.0}, _generate),
    System("sho", "harmonic oscillator, omega^2 ~ U[0.1,1] shared by an encoder and a propagated "
           "trajectory", "trajectories",
           {"n_train": 1000, "n_val": 200, "n_test": 1000, "steps_in": 500, "steps_out": 25,
            "dt": 0.1, "v0_max": 1.0, "param_min": 0.1, "param_max": 1.0}, _generate),
]
