"""Bad input to ``peql discover`` gets a clear error (exit code 2, the message names the column and
the problem) and leaves nothing behind: neither OUT nor a temporary folder next to it."""

import numpy as np
import pandas as pd
import pytest

from peql.cli import main


def _table(n_values=8, n_per=24, seed=0):
    rng = np.random.default_rng(seed)
    t = np.repeat(np.linspace(-1, 1, n_values), n_per)
    x1, x2 = rng.uniform(-2, 2, (2, len(t)))
    return pd.DataFrame({"x1": x1, "x2": x2, "t": t, "y": t * x1 + x2})


def _run(tmp_path, capsys, frame, *flags, name="data.csv"):
    data = tmp_path / name
    if frame is not None:
        frame.to_csv(data, index=False)
    out = tmp_path / "out"
    code = main(["discover", str(data), "-o", str(out), "--trials", "1", "--steps", "5", *flags])
    err = capsys.readouterr().err
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name != "out" and p.name.startswith("."))
    return code, err, out, leftovers


def _assert_clean(code, err, out, leftovers):
    assert code == 2 and err.startswith("peql discover: error: ")
    assert not out.exists() and leftovers == [], leftovers  # no OUT, no hidden temporary folder


def test_misspelled_column_suggests_the_nearest_name(tmp_path, capsys):
    code, err, out, left = _run(tmp_path, capsys, _table(), "--target", "y", "--inputs", "x1,x_2", "--param", "t")
    _assert_clean(code, err, out, left)
    assert "no inputs column 'x_2' in the data (did you mean 'x2'?)" in err and "columns: x1, x2, t, y" in err


def test_missing_target_and_param_columns(tmp_path, capsys):
    code, err, out, left = _run(tmp_path, capsys, _table(), "--target", "Y", "--param", "t")
    _assert_clean(code, err, out, left)
    assert "no target column 'Y' in the data (did you mean 'y'?)" in err
    code, err, out, left = _run(tmp_path, capsys, _table(), "--target", "y", "--param", "time")
    _assert_clean(code, err, out, left)
    assert "no param column 'time'" in err
    code, err, out, left = _run(tmp_path, capsys, _table(), "--target", "y")
    _assert_clean(code, err, out, left)
    assert "name the param column with --param" in err


def test_non_numeric_values_name_the_column_and_an_example(tmp_path, capsys):
    frame = _table()
    frame["x2"] = frame["x2"].astype(object)
    frame.loc[[5, 9], "x2"] = "n/a?"
    code, err, out, left = _run(tmp_path, capsys, frame, "--target", "y", "--param", "t")
    _assert_clean(code, err, out, left)
    assert "input column 'x2' holds 2 non-numeric value(s), e.g. 'n/a?' in row 5" in err


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_names_the_column_and_counts_the_rows(tmp_path, capsys, bad):
    frame = _table()
    frame.loc[[3, 4, 40], "y"] = bad
    code, err, out, left = _run(tmp_path, capsys, frame, "--target", "y", "--param", "t")
    _assert_clean(code, err, out, left)
    assert "target column 'y' holds NaN or inf in 3 row(s) (first at row 3)" in err


def test_constant_target(tmp_path, capsys):
    frame = _table().assign(y=2.5)
    code, err, out, left = _run(tmp_path, capsys, frame, "--target", "y", "--param", "t")
    _assert_clean(code, err, out, left)
    assert "target column 'y' is constant (every row is 2.5): there is nothing to fit" in err


def test_too_few_samples_per_value_for_seql_suggests_heql(tmp_path, capsys):
    frame = _table(n_values=40, n_per=6)
    code, err, out, left = _run(tmp_path, capsys, frame, "--target", "y", "--param", "t", "--arch", "seql")
    _assert_clean(code, err, out, left)
    assert "seql fits one weight set per value of 't' and needs at least 16 training samples per value" in err
    assert "use --arch heql" in err


def test_parameter_given_as_input_and_parameter(tmp_path, capsys):
    code, err, out, left = _run(tmp_path, capsys, _table(), "--target", "y", "--inputs", "x1,t", "--param", "t")
    _assert_clean(code, err, out, left)
    assert "column 't' is given both as an input and as the parameter" in err


def test_a_failure_during_the_run_leaves_nothing_half_written(tmp_path, capsys):
    # An unknown primitive is only found when the network is built, after the output folder was
    # started: the temporary folder must be gone and OUT never created.
    code, err, out, left = _run(tmp_path, capsys, _table(), "--target", "y", "--param", "t",
                                "--primitives", "identity:2,cosine:2")
    _assert_clean(code, err, out, left)
    assert "unknown primitive 'cosine'" in err


def test_an_existing_result_is_not_overwritten_without_the_flag(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "equations.json").write_text('{"peql_document": "equations"}')   # an earlier discover's
    _table().to_csv(tmp_path / "data.csv", index=False)
    code = main(["discover", str(tmp_path / "data.csv"), "-o", str(out), "--target", "y", "--param", "t"])
    assert code == 2 and "holds earlier results: choose another folder or pass --overwrite" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["equations.json"]
    (out / "equations.json").write_text("{}")                                # not peql's: never replaced
    code = main(["discover", str(tmp_path / "data.csv"), "-o", str(out), "--target", "y", "--param", "t",
                 "--overwrite"])
    assert code == 2 and "was not written by peql" in capsys.readouterr().err
    assert (out / "equations.json").read_text() == "{}"


def test_unreadable_inputs(tmp_path, capsys):
    code, err, out, left = _run(tmp_path, capsys, None, "--target", "y", "--param", "t", name="nothing.csv")
    _assert_clean(code, err, out, left)
    assert "no data at" in err
    (tmp_path / "data.xlsx").write_text("not a table")
    code, err, out, left = _run(tmp_path, capsys, None, "--target", "y", "--param", "t", name="data.xlsx")
    _assert_clean(code, err, out, left)
    assert "cannot read" in err and "CSV" in err
    frame = _table().assign(split=["train"] * 150 + ["holdout"] * 42)
    code, err, out, left = _run(tmp_path, capsys, frame, "--target", "y", "--param", "t")
    _assert_clean(code, err, out, left)
    assert "column 'split' holds unknown label(s) ['holdout']" in err


def test_names_that_cannot_appear_in_an_equation(tmp_path, capsys):
    frame = _table().rename(columns={"x1": "E"})  # SymPy reads E as Euler's number
    code, err, out, left = _run(tmp_path, capsys, frame, "--target", "y", "--param", "t")
    _assert_clean(code, err, out, left)
    assert "input name 'E' is reserved by SymPy" in err
    frame = _table().rename(columns={"x2": "c1"})  # c0, c1, ... name the coefficients
    code, err, out, left = _run(tmp_path, capsys, frame, "--target", "y", "--param", "t")
    _assert_clean(code, err, out, left)
    assert "input name 'c1' clashes with the coefficient names c0, c1" in err
