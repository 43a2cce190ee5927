"""The law peql discover finds does not depend on the units the data were recorded in: the
issue's y = (1 + t) x^2 - 2 t x with x in mm came out as y = c0 before thresholds acted in the
network's units. Slow (default flags, five fits): ``pytest -m slow tests/discover/test_discover_units.py``."""

import json

import numpy as np
import pandas as pd
import pytest
import sympy

from peql.cli import main


@pytest.mark.slow
def test_rescaled_inputs_and_targets_give_the_same_law(tmp_path, capsys):
    rng = np.random.default_rng(0)
    t = np.repeat(np.linspace(-1, 1, 8), 64)
    x = rng.uniform(-2, 2, t.size)
    y = (1 + t) * x**2 - 2 * t * x
    skeletons = {}
    for lam, mu in ((1, 1), (1e-3, 1), (1e3, 1), (1, 1e-3), (1, 1e3)):
        name = f"x{lam:g}_y{mu:g}"
        pd.DataFrame({"x": lam * x, "t": t, "y": mu * y}).to_csv(tmp_path / f"{name}.csv", index=False)
        assert main(["discover", str(tmp_path / f"{name}.csv"), "--target", "y", "--param", "t",
                     "-o", str(tmp_path / name)]) == 0
        skeleton = sympy.sympify(json.loads((tmp_path / name / "equations.json").read_text())["skeleton"])
        # the structure: the skeleton with every coefficient slot set to 1 (slot order is arbitrary)
        skeletons[name] = skeleton.xreplace({s: 1 for s in skeleton.free_symbols if str(s).startswith("c")})
    x_ = sympy.Symbol("x")
    assert set(skeletons.values()) == {x_**2 + x_}, skeletons
