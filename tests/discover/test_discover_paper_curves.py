"""The closed-form stage on coefficient curves that peql itself produces: fit the paper's f1, f4,
f5 and Burgers (with cross terms) quickly with ``peql discover`` and look for the five formulas
t, 3 sin(t), 3 sgn(t), (5 + t)/2 and -(1 + sin(t)/4). At least four must be recovered.

Slow (about a minute on two quiet cores, simulation and derivatives included):
``pytest -m slow tests/discover``. The default suite checks the same five formulas on realistic
noisy curves (test_discover_closed_form.py).
"""

import math

import pytest
import sympy

from peql.discover import discover

SMALL = {"n_t": 32, "n_train": 128, "n_val": 64, "n_test": 64}
SIN_4PI = {"name": "sin", "count": 2, "params": {"frequency": 4 * math.pi}}  # the original code's; helps f5
FORMULAS = {"t": "t", "3 sin(t)": "3*sin(t)", "3 sgn(t)": "3*sign(t)", "(5+t)/2": "(5 + t)/2",
            "-(1+sin(t)/4)": "-(1 + sin(t)/4)"}


def _closed_forms(tmp_path, name, data, **kw) -> set[str]:
    reg = discover(data, tmp_path / f"out_{name}", progress=False, echo=lambda line: None, **kw)
    return set(reg.closed_forms_.values())


def _recovered(found: set[str]) -> set[str]:
    out = set()
    for label, truth in FORMULAS.items():
        if any(sympy.simplify(sympy.sympify(f) - sympy.sympify(truth)) == 0 for f in found):
            out.add(label)
    return out


@pytest.mark.slow
def test_closed_forms_from_peql_fits_of_the_paper_benchmarks(tmp_path):
    from peql.cli import main

    for name in ("f1_sgn", "f4_sin_coef", "f5_sin_freq"):
        sets = [arg for k, v in SMALL.items() for arg in ("--set", f"{k}={v}")]
        assert main(["simulate", name, "-o", str(tmp_path / f"{name}.zarr"), *sets]) == 0
    assert main(["simulate", "burgers", "-o", str(tmp_path / "burgers_field.zarr"),
                 "--set", "n_time=64", "--set", "n_space=256"]) == 0
    assert main(["derive", str(tmp_path / "burgers_field.zarr"), "-o", str(tmp_path / "burgers.zarr"),
                 "--method", "spectral", "--cross-terms"]) == 0
    found = set()
    found |= _closed_forms(tmp_path, "f1", tmp_path / "f1_sgn.zarr", trials=4, steps=2000)
    found |= _closed_forms(tmp_path, "f4", tmp_path / "f4_sin_coef.zarr", trials=4, steps=2000)
    found |= _closed_forms(tmp_path, "f5", tmp_path / "f5_sin_freq.zarr", trials=8, steps=4000,
                           primitives=["constant:2", "identity:4", "square:4", SIN_4PI, "product:2"])
    found |= _closed_forms(tmp_path, "burgers", tmp_path / "burgers.zarr", trials=8, steps=3000)
    recovered = _recovered(found)
    print("closed forms found:", sorted(found), "recovered:", sorted(recovered))
    assert len(recovered) >= 4, (sorted(recovered), sorted(found))
