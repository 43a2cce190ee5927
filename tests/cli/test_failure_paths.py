"""The paths a new user hits with bad input (issue: never lose a user's files, never print a wrong
law silently). Every test checks the message names the problem and that no user file changed."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from peql.cli import main


def _tree(path):
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """A small f1 dataset, a short fit of it and its equations, made once for the module."""
    root = tmp_path_factory.mktemp("paths")
    cwd = os.getcwd()
    os.chdir(root)
    try:
        assert main(["simulate", "f1_sgn", "-o", "f1.zarr", "--set", "n_t=8", "--set", "n_train=64",
                     "--set", "n_val=32", "--set", "n_test=32"]) == 0
        assert main(["fit", "f1.zarr", "-o", "run", "--trials", "2", "--steps", "30", "--quiet"]) == 0
        assert main(["extract", "run", "f1.zarr", "-o", "eq"]) == 0
    finally:
        os.chdir(cwd)
    return root


@pytest.fixture()
def here(work, monkeypatch):
    monkeypatch.chdir(work)
    return work


def _table(path, values=8, per=30, seed=0, sep=","):
    rng = np.random.default_rng(seed)
    t = np.repeat(np.linspace(-1, 1, values), per)
    x = rng.uniform(-2, 2, t.size)
    pd.DataFrame({"x": x, "t": t, "y": (1 + t) * x**2 - 2 * t * x}).to_csv(path, index=False, sep=sep)
    return path


# -- 1: simulate / derive replace only a peql dataset ----------------------------------------------

def test_simulate_and_derive_refuse_a_folder_of_the_users_own(here, capsys):
    mine = here / "mine"
    mine.mkdir(exist_ok=True)
    (mine / "notes.txt").write_text("precious")
    assert main(["simulate", "f3_linear", "-o", "mine"]) == 2
    err = capsys.readouterr().err
    assert "output 'mine' exists and was not written by peql" in err
    assert main(["derive", "f1.zarr", "-o", "mine", "--method", "spectral"]) == 2
    assert "'mine' exists and was not written by peql" in capsys.readouterr().err
    assert _tree(mine) == {"notes.txt": b"precious"}


def test_simulate_replaces_its_own_store_and_refuses_a_file(here, capsys):
    assert main(["simulate", "f3_linear", "-o", "again.zarr", "--set", "n_t=4"]) == 0
    assert main(["simulate", "f3_linear", "-o", "again.zarr", "--set", "n_t=6"]) == 0
    import xarray as xr

    assert xr.open_zarr(here / "again.zarr", consolidated=False).sizes["sample"] == 6144
    (here / "plain.txt").write_text("x")
    assert main(["simulate", "f3_linear", "-o", "plain.txt"]) == 2
    assert "'plain.txt' is a file; this command writes a folder" in capsys.readouterr().err
    assert (here / "plain.txt").read_text() == "x"


def test_derive_refuses_to_write_over_its_input(here, capsys):
    before = _tree(here / "f1.zarr")
    assert main(["derive", "f1.zarr", "-o", "f1.zarr", "--method", "spectral"]) == 2
    assert "output 'f1.zarr' is the input 'f1.zarr'" in capsys.readouterr().err
    assert _tree(here / "f1.zarr") == before


# -- 2, 3: discover's OUT never swallows its input, the working folder or a user's folder ---------

@pytest.mark.parametrize("out,words", [("d2", "contains the input"), ("d2/table.csv", "is the input"),
                                       (".", "contains the input"), ("d2/table.csv/x", "lies inside the input")])
def test_discover_refuses_an_output_overlapping_its_input(here, capsys, monkeypatch, out, words):
    (here / "d2").mkdir(exist_ok=True)
    table = _table(here / "d2" / "table.csv")
    monkeypatch.chdir(here)
    before = _tree(here / "d2")
    code = main(["discover", "d2/table.csv", "--target", "y", "--param", "t", "-o", out, "--overwrite",
                 "--steps", "5", "--trials", "1"])
    err = capsys.readouterr().err
    assert code == 2 and words in err and repr(out) in err
    assert _tree(here / "d2") == before and table.is_file()


def test_discover_refuses_a_users_folder_even_with_overwrite(here, capsys):
    _table(here / "t.csv")
    (here / "theirs").mkdir(exist_ok=True)
    (here / "theirs" / "notes.txt").write_text("precious")
    code = main(["discover", "t.csv", "--target", "y", "--param", "t", "-o", "theirs", "--overwrite",
                 "--steps", "5", "--trials", "1"])
    assert code == 2 and "'theirs' exists and was not written by peql" in capsys.readouterr().err
    assert _tree(here / "theirs") == {"notes.txt": b"precious"}


def test_discover_fails_at_once_where_it_cannot_write(here, capsys):
    _table(here / "t.csv")
    start = time.monotonic()
    code = main(["discover", "t.csv", "--target", "y", "--param", "t", "-o", "t.csv/../t.csv/out",
                 "--steps", "100000", "--trials", "1"])
    assert code == 2 and "t.csv/../t.csv/out" in capsys.readouterr().err
    assert time.monotonic() - start < 5   # refused before training, not after


def test_discover_overwrites_only_its_own_results(here, capsys):
    _table(here / "t.csv")
    args = ["discover", "t.csv", "--target", "y", "--param", "t", "-o", "res", "--steps", "5", "--trials", "1"]
    assert main(args) == 0
    assert main(args) == 2 and "holds earlier results" in capsys.readouterr().err
    assert main(args + ["--overwrite"]) == 0
    (here / "res" / "mine.txt").write_text("added by the user")
    assert main(args + ["--overwrite"]) == 2
    assert "'res' exists and was not written by peql" in capsys.readouterr().err
    assert (here / "res" / "mine.txt").read_text() == "added by the user"


# -- 3: baseline, evaluate, extract, bench replace only peql's files -------------------------------

def test_baseline_evaluate_extract_and_bench_keep_a_users_files(here, capsys):
    (here / "bl").mkdir(exist_ok=True)
    (here / "bl" / "equations.json").write_text("my notes")
    assert main(["baseline", "sgtr", "f1.zarr", "-o", "bl"]) == 2
    assert "'bl/equations.json' exists and was not written by peql" in capsys.readouterr().err
    (here / "scores.json").write_text("my scores")
    assert main(["evaluate", "eq", "f1.zarr", "-o", "scores.json"]) == 2
    assert "'scores.json' exists and was not written by peql" in capsys.readouterr().err
    (here / "eq2" / "coefficients.zarr").mkdir(parents=True, exist_ok=True)
    (here / "eq2" / "coefficients.zarr" / "notes.txt").write_text("mine")
    assert main(["extract", "run", "f1.zarr", "-o", "eq2"]) == 2
    assert "'eq2/coefficients.zarr' exists and was not written by peql" in capsys.readouterr().err
    (here / "bench.json").write_text("mine")
    assert main(["bench", "--arch", "seql", "--trials", "1", "--steps", "1", "--json", "bench.json"]) == 2
    assert "'bench.json' exists and was not written by peql" in capsys.readouterr().err
    assert (here / "bl" / "equations.json").read_text() == "my notes"
    assert (here / "scores.json").read_text() == "my scores"
    assert (here / "eq2" / "coefficients.zarr" / "notes.txt").read_text() == "mine"
    assert (here / "bench.json").read_text() == "mine"


def test_a_run_folder_inside_the_dataset_is_refused(here, capsys):
    before = _tree(here / "f1.zarr")
    assert main(["fit", "f1.zarr", "-o", "f1.zarr/run", "--trials", "1", "--steps", "5", "--quiet"]) == 2
    assert "'f1.zarr/run' lies inside the input 'f1.zarr'" in capsys.readouterr().err
    assert _tree(here / "f1.zarr") == before


# -- 4: plugins -----------------------------------------------------------------------------------

@pytest.mark.parametrize("source,words", [
    ("@peql.hookimpl\ndef register_primitives(register):\n    register(peql.Primitive(name='cube', arity=1, "
     "torch_fn=lambda g: g**3, sympy_fn=lambda g: g**2))\n",
     "plugin local:bad.py (sha256:"),
    ("def register_primitives(register):\n    pass\n",
     "plugin local:bad.py: register_primitives() is not marked with @peql.hookimpl"),
    ("@peql.hookimpl\ndef register_primitive(register):\n    pass\n",
     "plugin local:bad.py: 'register_primitive' is not a peql hook; did you mean 'register_primitives'?"),
    ("def register_primitive(register):\n    pass\n",
     "'register_primitive' is not a peql hook; did you mean 'register_primitives'?"),
])
def test_a_bad_plugin_is_refused_by_name_in_one_line(tmp_path, capsys, source, words):
    (tmp_path / "bad.py").write_text("import peql\n" + source)
    assert main(["--plugins-dir", str(tmp_path), "list"]) == 2
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1


def test_a_primitive_whose_forms_disagree_names_the_disagreement(tmp_path, capsys):
    (tmp_path / "bad.py").write_text(
        "import peql\n@peql.hookimpl\ndef register_primitives(register):\n"
        "    register(peql.Primitive(name='cube', arity=1, torch_fn=lambda g: g**3, sympy_fn=lambda g: g**2))\n")
    assert main(["--plugins-dir", str(tmp_path), "list"]) == 2
    assert "primitive 'cube': its torch and SymPy forms disagree" in capsys.readouterr().err


# -- 5: evaluate against other data --------------------------------------------------------------

def test_evaluate_refuses_another_systems_data_unless_forced(here, capsys):
    assert main(["simulate", "f3_linear", "-o", "f3.zarr", "--set", "n_t=8", "--set", "n_train=64",
                 "--set", "n_val=32", "--set", "n_test=32"]) == 0
    assert main(["evaluate", "eq", "f3.zarr", "-o", "cross.json"]) == 2
    err = capsys.readouterr().err
    assert "read out from other data (system 'f1_sgn'" in err and "'f3_linear'" in err and "--force" in err
    assert not (here / "cross.json").exists()
    assert main(["evaluate", "eq", "f3.zarr", "-o", "cross.json", "--force"]) == 0
    # an older document without the fingerprint is checked by its system's name
    doc = json.loads((here / "eq" / "equations.json").read_text())
    del doc["provenance"]["data_fingerprint"]
    (here / "old.json").write_text(json.dumps(doc))
    assert main(["evaluate", "old.json", "f3.zarr", "-o", "cross2.json"]) == 2
    assert "read out from system 'f1_sgn', but the dataset given is 'f3_linear'" in capsys.readouterr().err
    assert main(["evaluate", "old.json", "f1.zarr", "-o", "same.json"]) == 0


def test_a_baseline_document_records_its_data(here):
    assert main(["baseline", "sgtr", "f1.zarr", "-o", "bl_ok"]) == 0
    prov = json.loads((here / "bl_ok" / "equations.json").read_text())["provenance"]
    assert prov["system"] == "f1_sgn" and len(prov["data_fingerprint"]) == 16


# -- 6, 7: settings, one parameter value, broken checkpoints, evaluate's inputs ------------------

@pytest.mark.parametrize("flags,words", [
    (["--set", "lr=-1"], "fit setting lr=-1 is out of range; it must be a number > 0"),
    (["--set", "lr=0"], "fit setting lr=0 is out of range"),
    (["--steps", "0"], "fit setting steps=0 is out of range; it must be an integer >= 1"),
    (["--trials", "0"], "fit setting trials=0 is out of range"),
    (["--set", "rw=-0.1"], "fit setting rw=-0.1 is out of range; it must be a number >= 0"),
    (["--set", "lr=abc"], "fit setting lr='abc' is not a number"),
    (["--set", "lrate=0.1"], "did you mean 'lr'"),
])
def test_fit_refuses_bad_settings_by_name_before_training(here, capsys, flags, words):
    assert main(["fit", "f1.zarr", "-o", "bad_run", "--trials", "1", "--steps", "5", "--quiet", *flags]) == 2
    assert words in capsys.readouterr().err
    assert not (here / "bad_run").exists()


def test_a_set_without_a_value_is_a_usage_error(here, capsys):
    with pytest.raises(SystemExit) as info:
        main(["fit", "f1.zarr", "-o", "bad_run", "--set", "lr"])
    assert info.value.code == 2 and "argument --set: expected KEY=VALUE, got 'lr'" in capsys.readouterr().err


def test_negative_thresholds_are_refused_and_zero_keeps_everything(here, capsys):
    assert main(["extract", "run", "f1.zarr", "-o", "eq_neg", "--threshold", "-1"]) == 2
    assert "threshold must be a number >= 0" in capsys.readouterr().err and not (here / "eq_neg").exists()
    _table(here / "t.csv")
    assert main(["discover", "t.csv", "--target", "y", "--param", "t", "-o", "neg", "--threshold", "-0.5"]) == 2
    assert "--threshold must be a number >= 0" in capsys.readouterr().err
    assert main(["extract", "run", "f1.zarr", "-o", "eq_zero", "--threshold", "0"]) == 0


def test_data_with_one_parameter_value_is_refused(here, capsys):
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, 200)
    pd.DataFrame({"x": x, "t": 0.5, "y": 1.5 * x**2}).to_csv(here / "one.csv", index=False)
    assert main(["discover", "one.csv", "--target", "y", "--param", "t", "-o", "one_out"]) == 2
    assert "parameter column 't' takes one value only (0.5): there is nothing parametric to find" in \
        capsys.readouterr().err
    assert not (here / "one_out").exists()


def test_an_unreadable_checkpoint_is_set_aside_by_fit_and_named_by_extract(here, capsys):
    (here / "broken").mkdir(exist_ok=True)
    (here / "broken" / "checkpoint.pt").write_bytes(b"")
    assert main(["extract", "broken", "f1.zarr", "-o", "eq_broken"]) == 2
    assert "checkpoint broken/checkpoint.pt is unreadable" in capsys.readouterr().err
    assert main(["evaluate", "eq", "f1.zarr", "-o", "s_broken.json", "--run-dir", "broken"]) == 2
    assert "checkpoint broken/checkpoint.pt is unreadable" in capsys.readouterr().err
    assert main(["fit", "f1.zarr", "-o", "broken", "--trials", "1", "--steps", "5", "--quiet"]) == 0
    assert "moved it to checkpoint.unreadable.pt and starting afresh" in capsys.readouterr().out
    assert (here / "broken" / "checkpoint.unreadable.pt").read_bytes() == b""
    assert main(["extract", "broken", "f1.zarr", "-o", "eq_broken"]) == 0


def test_evaluate_takes_a_results_folder_and_names_a_wrong_path(here, capsys):
    assert main(["evaluate", "eq", "f1.zarr", "-o", "from_folder.json"]) == 0
    assert json.loads((here / "from_folder.json").read_text())["equations_path"].endswith("eq/equations.json")
    assert main(["evaluate", "eq/equations.json/equations.json", "f1.zarr", "-o", "x.json"]) == 2
    assert "eq/equations.json is a file: give it directly" in capsys.readouterr().err
    (here / "empty_folder").mkdir(exist_ok=True)
    assert main(["evaluate", "empty_folder", "f1.zarr", "-o", "x.json"]) == 2
    assert "empty_folder is a folder without an equations.json" in capsys.readouterr().err


# -- 10: tables a spreadsheet writes ----------------------------------------------------------------

def test_duplicated_columns_semicolons_and_non_ascii_names(here, capsys):
    rng = np.random.default_rng(0)
    t = np.repeat(np.linspace(-1, 1, 8), 30)
    x = rng.uniform(-2, 2, t.size)
    rows = "\n".join(f"{a},{a},{b},{a * b}" for a, b in zip(x, t))
    (here / "dup.csv").write_text("x,x,t,y\n" + rows)
    assert main(["discover", "dup.csv", "--target", "y", "--param", "t", "-o", "dup_out"]) == 2
    assert "dup.csv: column 'x' appears 2 times in the header" in capsys.readouterr().err
    (here / "name.csv").write_text("xé,t,y\n" + "\n".join(f"{a},{b},{a * b}" for a, b in zip(x, t)))
    assert main(["discover", "name.csv", "--target", "y", "--param", "t", "-o", "name_out"]) == 2
    assert "use ASCII letters, digits and underscores" in capsys.readouterr().err
    _table(here / "semi.csv", sep=";")
    assert main(["discover", "semi.csv", "--target", "y", "--param", "t", "-o", "semi_out", "--steps", "5",
                 "--trials", "1"]) == 0
    assert "reading with ';' as the delimiter" in capsys.readouterr().out
    assert json.loads((here / "semi_out" / "equations.json").read_text())["inputs"] == ["x"]


# -- 9: a killed discover ----------------------------------------------------------------------------

def test_sigterm_cleans_up_in_one_line_and_a_rerun_removes_stale_temporaries(here, tmp_path):
    _table(tmp_path / "t.csv")
    env = {**os.environ, "PEQL_DISABLE_PLUGIN_AUTOLOAD": "1"}
    cmd = [sys.executable, "-m", "peql.cli", "discover", "t.csv", "--target", "y", "--param", "t", "-o", "out",
           "--steps", "1000000", "--trials", "1"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(".out.tmp-") for p in tmp_path.iterdir()):   # checks done, training
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail(f"discover did not start training: {proc.communicate()}")
        time.sleep(0.2)
    time.sleep(2)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143
    assert err.strip().splitlines()[-1] == "peql discover: terminated; no partial output was left behind"
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]
    # SIGKILL cannot be handled: the next run with the same OUT removes what it left
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / f".out.tmp-{int(dead.stdout)}-deadbeef" / "model").mkdir(parents=True)
    assert main(["discover", str(tmp_path / "t.csv"), "--target", "y", "--param", "t", "-o", str(tmp_path / "out"),
                 "--steps", "5", "--trials", "1"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "t.csv"]


if __name__ == "__main__":   # pragma: no cover
    sys.exit(pytest.main([__file__]))
