"""``peql discover`` end to end on a CSV (outputs and their contents), and the other table formats."""

import json

import numpy as np
import pandas as pd
import pytest
import sympy
import xarray as xr

import discover_cases as dc
from peql.cli import main
from peql.data import tabular_dataset, write_dataset
from peql.cli.discover import parse_units
from peql.discover.user_data import read_table


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The two-input jump law as a CSV with a split column: train, val (selection), test."""
    tmp = tmp_path_factory.mktemp("discover")
    case = dc.two_inputs_with_a_jump(n_per=80, seed=3)
    rng = np.random.default_rng(0)
    split = rng.choice(["train", "train", "train", "val", "test"], size=len(case.t))
    pd.DataFrame({"x1": case.X[:, 0], "x2": case.X[:, 1], "temperature": case.t, "y": case.y,
                  "split": split}).to_csv(tmp / "law.csv", index=False)
    out = tmp / "result"
    code = main(["discover", str(tmp / "law.csv"), "--target", "y", "--inputs", "x1,x2", "--param", "temperature",
                 "-o", str(out), "--trials", "4", "--steps", "2000"])
    return code, out, split


def test_outputs_are_complete_and_consistent(run, capsys):
    code, out, split = run
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "coefficients.csv", "coefficients.png", "coefficients.zarr", "equations.json", "extrapolation.png",
        "fit.png", "model", "summary.txt"]
    assert (out / "model" / "checkpoint.pt").stat().st_size > 0
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]   # no temporary folder left
    for png in ("fit.png", "extrapolation.png", "coefficients.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    doc = json.loads((out / "equations.json").read_text())
    assert doc["parameter"] == "temperature" and doc["inputs"] == ["x1", "x2"] and doc["architecture"] == "seql"
    assert doc["provenance"]["rows"] == {s: int((split == s).sum()) for s in ("train", "val", "test")}
    T = sympy.Symbol("temperature")
    law = sympy.sympify(doc["law"], locals={"temperature": T})
    truth = sympy.sympify("(3/2 - sign(temperature - 1/2)/2)*x1*x2 + (1 + temperature/2)*x2",
                          locals={"temperature": T})
    assert sympy.simplify(law - truth) == 0
    assert set(doc["closed_form"]) == {"c0", "c1"}
    # The coefficient curves, in CSV and zarr, are the document's.
    csv = pd.read_csv(out / "coefficients.csv", index_col=0)
    assert csv.index.name == "temperature" and list(csv.columns) == ["c0", "c1"]
    np.testing.assert_allclose(csv.index, doc["coefficients"]["param"])
    np.testing.assert_allclose(csv["c1"], doc["coefficients"]["c1"])
    zarr = xr.open_zarr(out / "coefficients.zarr", consolidated=False).load()
    np.testing.assert_allclose(zarr["coefficient"].values, csv.values)
    summary = (out / "summary.txt").read_text()
    assert "architecture: seql (auto: temperature takes 16 values" in summary
    assert "with closed forms: y = " in summary and "R^2 on" in summary and "refined law" in summary


def test_read_table_formats(tmp_path):
    frame = pd.DataFrame({"a": [1.0, 2.0], "t": [0.0, 1.0], "y": [3.0, 4.0]})
    xr.Dataset({k: ("row", v.to_numpy()) for k, v in frame.items()}).to_netcdf(tmp_path / "d.nc")
    got, defaults = read_table(tmp_path / "d.nc")
    assert list(got.columns) == ["a", "t", "y"] and defaults == {}
    np.testing.assert_allclose(got["y"], [3.0, 4.0])
    ds = tabular_dataset(inputs=np.ones((4, 2)), target=np.arange(4.0), param=np.array([0, 0, 1, 1.0]),
                         split=np.array(["train", "train", "val", "test"]), feature_names=["u", "v"],
                         system="mine", param_name="s", target_name="w")
    write_dataset(ds, tmp_path / "d.zarr")
    got, defaults = read_table(tmp_path / "d.zarr")          # a peql dataset names its own columns
    assert defaults == {"target": "w", "param": "s", "inputs": ["u", "v"]}
    assert list(got.columns) == ["u", "v", "w", "s", "split"] and list(got["split"]) == ["train", "train", "val", "test"]
    bad = xr.Dataset({"a": (("r", "c"), np.ones((2, 2))), "b": ("r", np.ones(2))})
    bad.to_netcdf(tmp_path / "bad.nc")
    with pytest.raises(ValueError, match="not a long-format table"):
        read_table(tmp_path / "bad.nc")


def test_primitives_flag_with_constant_parameters():
    units = parse_units("identity:4, sin:2@frequency=4*pi, product:2")
    assert units[0] == "identity:4" and units[2] == "product:2"
    assert units[1] == {"name": "sin", "count": 2, "params": {"frequency": pytest.approx(4 * np.pi)}}
    with pytest.raises(ValueError, match="bad parameter 'frequency' in 'sin:2@frequency'"):
        parse_units("sin:2@frequency")
