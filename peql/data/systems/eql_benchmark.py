"""The EQL benchmark functions of the earlier paper (``eql-integration.txt``, Table V).

Selected one at a time with the ``function`` setting (names below, in the paper's order; the
13th, ``cubic3`` = (x + y z)^3, is the case that needs three hidden layers). Train: 256 points
from U[-1, 1]^d; ``val`` and ``test``: 100 points each from U[-2, 2]^d (extrapolation), from
separate random streams. Noise (fraction of the standard deviation of the clean training target)
is added to the train and val targets only.

These laws have no varying parameter: ``param`` is a constant 0 column named ``t`` (one group), the
``true_equation`` carries its numbers explicitly (``"sin(2*pi*x) + sin(4*pi*y)"``) and ``true_coef``
has a single parameter value (0) and an empty ``term`` axis.
"""

from __future__ import annotations

import numpy as np

from ..dataset import tabular_dataset
from ..noise import add_noise
from .base import Run, System

TWO_PI = 2 * np.pi

#: name -> (SymPy equation, input names, numpy function of the input columns)
FUNCTIONS = {
    "x": ("x", "x", lambda x: x),
    "x2": ("x**2", "x", lambda x: x**2),
    "x3": ("x**3", "x", lambda x: x**3),
    "sin2pix": ("sin(2*pi*x)", "x", lambda x: np.sin(TWO_PI * x)),
    "exp": ("exp(x)", "x", np.exp),
    "xy": ("x*y", "xy", lambda x, y: x * y),
    "sin_sum": ("sin(2*pi*x) + sin(4*pi*y)", "xy",
                lambda x, y: np.sin(TWO_PI * x) + np.sin(2 * TWO_PI * y)),
    "lin3": ("0.5*x*y + 0.5*z", "xyz", lambda x, y, z: 0.5 * x * y + 0.5 * z),
    "poly3": ("x**2 + y - 2*z", "xyz", lambda x, y, z: x**2 + y - 2 * z),
    "gauss": ("exp(-x**2)", "x", lambda x: np.exp(-(x**2))),
    "sigmoid": ("1/(1 + exp(-10*x))", "x", lambda x: 1 / (1 + np.exp(-10 * x))),
    "x2_sin": ("x**2 + sin(2*pi*y)", "xy", lambda x, y: x**2 + np.sin(TWO_PI * y)),
    "cubic3": ("(x + y*z)**3", "xyz", lambda x, y, z: (x + y * z) ** 3),
}

DEFAULTS = {"function": "x", "n_train": 256, "n_val": 100, "n_test": 100,
            "train_range": 1.0, "test_range": 2.0}


def evaluate(function: str, inputs: np.ndarray) -> np.ndarray:
    """The clean value of benchmark ``function`` at ``inputs`` of shape (n, d)."""
    _, _, fn = FUNCTIONS[function]
    return fn(*np.asarray(inputs, dtype=np.float64).T)


def _generate(run: Run):
    s = run.settings
    equation, names, _ = FUNCTIONS[s["function"]]
    d = len(names)
    parts = {}
    for split, n, half in (("train", s["n_train"], s["train_range"]),
                           ("val", s["n_val"], s["test_range"]),
                           ("test", s["n_test"], s["test_range"])):
        x = run.rng(split).uniform(-half, half, size=(n, d))
        parts[split] = [x, evaluate(s["function"], x)]
    scale = float(np.std(parts["train"][1]))
    for split in ("train", "val"):
        parts[split][1] = add_noise(parts[split][1], run.noise, run.rng(f"noise/{split}"), scale)
    x = np.concatenate([p[0] for p in parts.values()])
    y = np.concatenate([p[1] for p in parts.values()])
    split = np.repeat(list(parts), [len(p[1]) for p in parts.values()])
    return tabular_dataset(
        inputs=x, target=y, param=np.zeros(len(y)), split=split, feature_names=list(names),
        system=run.system, param_name="t", target_name="f", true_equation=equation,
        true_coef={}, param_values=np.zeros(1), settings=run.record)


SYSTEM = System("eql_benchmark",
                "earlier EQL paper's 13 test functions (setting function=x|x2|...|cubic3), no parameter",
                "tabular", DEFAULTS, _generate, choices={"function": tuple(FUNCTIONS)})
