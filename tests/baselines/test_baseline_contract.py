"""The equations.json contract, settings and input errors, the missing-PySINDy hint, the registry
and the ``peql baseline`` command."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
import sympy

from peql.baselines import SGTR, SINDY, SINDY_CP, Baseline, BaselineFit, linear_expression
from peql.cli import main
from peql.data import write_dataset

KEYS = {"parameter", "inputs", "architecture", "method_kind", "selected_trial", "skeleton", "equations",
        "coefficients", "closed_form", "readout", "trials", "settings", "wall_time_s", "provenance"}


def test_sgtr_document_follows_the_contract(pde):
    data = pde("burgers", False)
    doc = SGTR.run(data.x, data.y, data.param, data.names, "t", library="products")
    assert set(doc) == KEYS
    assert doc["architecture"] == "sgtr" and doc["method_kind"] == "baseline" and doc["selected_trial"] is None
    assert doc["parameter"] == "t" and doc["inputs"] == ["u", "u_x", "u_xx"]
    assert doc["skeleton"] == "c0*u_xx + c1*u*u_x"
    assert doc["closed_form"] == {} and doc["trials"] == [] and doc["provenance"] == {}
    assert doc["settings"] == {**SGTR.defaults, "library": "products"}
    params = [e["param"] for e in doc["equations"]]
    assert params == sorted(set(data.param.tolist())) == doc["coefficients"]["param"]
    u, u_x, u_xx = syms = sympy.symbols(data.names)
    for i, eq in enumerate(doc["equations"]):
        # each expression is the skeleton with that value's coefficients, rounded to 6 digits
        expr = sympy.sympify(eq["expression"])
        assert expr.free_symbols <= set(syms)
        assert float(expr.coeff(u_xx)) == float(f"{doc['coefficients']['c0'][i]:.6g}")
        assert float(expr.coeff(u * u_x)) == float(f"{doc['coefficients']['c1'][i]:.6g}")
    first = doc["equations"][0]["expression"]
    c0, c1 = doc["coefficients"]["c0"][0], doc["coefficients"]["c1"][0]
    assert first == f"{c0:.6g}*u_xx - {abs(c1):.6g}*u*u_x"
    json.dumps(doc)  # plain JSON types throughout


def test_linear_expression_formatting():
    assert linear_expression(["1", "u*u_x", "u_xx"], [0.5, -0.99960004, 0.1]) == "0.5 - 0.9996*u*u_x + 0.1*u_xx"
    assert linear_expression(["u", "u_x"], [0.0, -1.23456789e-7]) == "-1.23457e-07*u_x"
    assert linear_expression(["u"], [0.0]) == "0"
    assert sympy.sympify("-1.23457e-07*u_x") == -1.23457e-07 * sympy.Symbol("u_x")


def test_terms_zero_at_some_values_keep_one_symbol():
    fit = BaselineFit(["1", "x", "x**2"], np.array([1.0, 0.0]), np.array([[0.0, 2.0, 0.0], [0.0, 0.0, 3.0]]))
    b = Baseline("toy", "a toy", {}, lambda *a: fit)
    doc = b.run(np.ones((2, 1)), np.ones(2), np.array([0.0, 1.0]), ["x"], "t")
    assert doc["skeleton"] == "c0*x + c1*x**2"
    assert doc["equations"] == [{"param": 0.0, "expression": "3*x**2"}, {"param": 1.0, "expression": "2*x"}]
    assert doc["coefficients"] == {"param": [0.0, 1.0], "c0": [0.0, 2.0], "c1": [3.0, 0.0]}


@pytest.mark.parametrize("baseline,settings,message", [
    (SGTR, {"treshold": 0.1}, "no setting 'treshold'; known settings: degree, library, max_passes"),
    (SGTR, {"library": "splines"}, "library='splines' is not one of"),
    (SGTR, {"degree": "two"}, "degree='two' is not a valid int"),
    (SGTR, {"ridge": -1.0}, "ridge=-1.0 must be >= 0"),
    (SINDY, {"threshold": -0.1}, "threshold=-0.1"),
    (SINDY, {"alpha": True}, "alpha=True is not a valid float"),
    (SINDY_CP, {"basis": ["1", "sin(x)"]}, "basis term 'sin\\(x\\)' uses \\['x'\\]"),
    (SINDY_CP, {"basis": "1, sin(t"}, "basis term 'sin\\(t' does not parse"),
    (SINDY_CP, {"basis": []}, "non-empty list of SymPy strings"),
    (SINDY_CP, {"n_frequencies": 0}, "n_frequencies=0"),
])
def test_bad_settings_give_clear_errors(pde, baseline, settings, message):
    data = pde("burgers", True)
    with pytest.raises(ValueError, match=message):
        baseline.run(data.x, data.y, data.param, data.names, "t", **settings)


def test_bad_inputs_name_the_problem():
    x, y, p = np.ones((4, 2)), np.ones(4), np.zeros(4)
    bad = x.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match="inputs x holds 1 NaN"):
        SGTR.run(bad, y, p, ["a", "b"], "t")
    with pytest.raises(ValueError, match="3 input names"):
        SGTR.run(x, y, p, ["a", "b", "c"], "t")
    with pytest.raises(ValueError, match="must both have shape \\(4,\\)"):
        SGTR.run(x, y[:3], p, ["a", "b"], "t")
    with pytest.raises(ValueError, match="clashes with an input name"):
        SGTR.run(x, y, p, ["t", "b"], "t")


def test_missing_pysindy_gives_the_install_hint(pde, monkeypatch):
    monkeypatch.setitem(sys.modules, "pysindy", None)  # `import pysindy` now raises ImportError
    data = pde("burgers", True)
    for baseline in (SINDY, SINDY_CP):
        with pytest.raises(ImportError, match=r"pip install pysindy \(or pip install peql\[baselines\]\)"):
            baseline.run(data.x, data.y, data.param, data.names, "t")
    # SGTR is plain numpy and still runs
    assert SGTR.run(data.x, data.y, data.param, data.names, "t")["skeleton"] == "c0*u_xx + c1*u_u_x"


def test_registry_holds_the_builtin_baselines(registry):
    assert {"sgtr", "sindy", "sindy_cp"} <= set(registry.names("baselines"))
    assert registry.entry("baselines", "sgtr").provenance.plugin == "peql.builtin"


def test_cli_writes_the_document(pde, tmp_path, capsys):
    data = pde("advection_diffusion", False)
    store = write_dataset(data.ds, tmp_path / "features.zarr")
    out = tmp_path / "eq" / "sgtr"
    assert main(["baseline", "sgtr", str(store), "-o", str(out), "--set", "library=products", "--set", "degree=2"]) == 0
    doc = json.loads((out / "equations.json").read_text())
    assert set(doc) == KEYS | {"peql_document", "peql_version"} and doc["peql_document"] == "equations"
    assert doc["parameter"] == "x" and doc["settings"]["degree"] == 2
    assert doc["skeleton"] == "c0*u_x + c1*u_xx + c2*u"
    assert doc["provenance"]["split"] == "train" and doc["provenance"]["plugin"] == "peql.builtin"
    assert "sgtr: wrote" in capsys.readouterr().out
    assert main(["baseline", "sindy_cp", str(store), "-o", str(out), "--set", "basis=[\"1\",\"x\"]"]) == 0
    assert json.loads((out / "equations.json").read_text())["settings"]["basis"] == ["1", "x"]
    assert (out / "coefficients.zarr" / "zarr.json").exists()


def test_cli_reports_bad_settings_and_field_data(pde, tmp_path, capsys):
    data = pde("advection_diffusion", False)
    store = write_dataset(data.ds, tmp_path / "features.zarr")
    assert main(["baseline", "sgtr", str(store), "-o", str(tmp_path / "o"), "--set", "n_tols=3"]) == 2
    assert "no setting 'n_tols'" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
    assert main(["baseline", "nope", str(store), "-o", str(tmp_path / "o")]) == 2
    assert "unknown baseline 'nope'" in capsys.readouterr().err
    assert main(["baseline", "sgtr", str(store), "-o", str(tmp_path / "o.json")]) == 2
    assert "-o names a results folder" in capsys.readouterr().err


def test_cli_reports_a_missing_pysindy(pde, tmp_path, capsys, monkeypatch):
    store = write_dataset(pde("advection_diffusion", False).ds, tmp_path / "features.zarr")
    monkeypatch.setitem(sys.modules, "pysindy", None)
    assert main(["baseline", "sindy", str(store), "-o", str(tmp_path / "o")]) == 2
    assert "pip install pysindy" in capsys.readouterr().err and not (tmp_path / "o" / "equations.json").exists()
