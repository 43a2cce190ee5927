"""The Snakemake workflow: schema errors, a tiny end-to-end run, and incremental reruns."""

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from helpers import REPO

SNAKEMAKE = [sys.executable, "-m", "snakemake"]
TINY = yaml.safe_load((REPO / "tests/workflow/config.yaml").read_text())


def workspace(tmp_path, config=TINY, plugins=None):
    shutil.copy(REPO / "Snakefile", tmp_path / "Snakefile")
    shutil.copytree(REPO / "workflow", tmp_path / "workflow")
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    if plugins:
        (tmp_path / "plugins").mkdir()
        for name, body in plugins.items():
            (tmp_path / "plugins" / name).write_text(textwrap.dedent(body))
    return tmp_path


def smk(ws, *args, timeout=600):
    env = {**os.environ, "PEQL_DISABLE_PLUGIN_AUTOLOAD": "1"}
    return subprocess.run([*SNAKEMAKE, "--cores", "2", *args], cwd=ws, capture_output=True, text=True,
                          timeout=timeout, env=env)


def planned(ws, *args) -> dict[str, int]:
    """Jobs a dry run would execute, by rule."""
    out = smk(ws, "-n", *args)
    assert out.returncode == 0, out.stderr + out.stdout
    text = out.stdout + out.stderr
    if "Nothing to be done" in text:
        return {}
    table = text[text.index("Job stats:"):]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, re.M) if m.group(1) != "total"}


def test_schema_error_names_the_key(tmp_path):
    ws = workspace(tmp_path, {**TINY, "devise": "cpu"})
    out = smk(ws, "-n")
    assert out.returncode != 0
    assert "devise" in out.stderr + out.stdout


def test_wrong_type_names_the_key(tmp_path):
    bad = json.loads(json.dumps(TINY))
    bad["threshold"] = "tiny"
    out = smk(workspace(tmp_path, bad), "-n")
    assert out.returncode != 0 and "threshold" in out.stderr + out.stdout


def test_unknown_component_lists_registered_names(tmp_path):
    bad = json.loads(json.dumps(TINY))
    bad["methods"]["seql"]["architecture"] = "sequl"
    out = smk(workspace(tmp_path, bad), "-n")
    text = out.stderr + out.stdout
    assert out.returncode != 0 and "unknown architecture 'sequl'" in text and "heql" in text


@pytest.mark.parametrize("edit,words", [
    (lambda c: c["methods"]["seql"]["fit"].update(stpes=10), ["methods.seql.fit", "'stpes'", "did you mean 'steps'"]),
    (lambda c: c["methods"]["seql"]["fit"].update(lr=-1), ["methods.seql.fit", "lr=-1 is out of range"]),
    (lambda c: c["methods"]["seql"]["fit"].update(options={"smoothng": 1}), ["methods.seql.fit", "'smoothng'"]),
    (lambda c: c["datasets"]["f3_linear"].update(settings={"n_trian": 8}),
     ["datasets.f3_linear.settings", "no setting 'n_trian'"]),
])
def test_a_bad_fit_or_dataset_setting_fails_the_dry_run_naming_it(tmp_path, edit, words):
    bad = json.loads(json.dumps(TINY))
    edit(bad)
    out = smk(workspace(tmp_path, bad), "-n")
    text = out.stderr + out.stdout
    assert out.returncode != 0 and all(w in text for w in words), text[-2000:]


def test_a_failing_job_writes_its_exception_into_its_log(tmp_path):
    bad = json.loads(json.dumps(TINY))
    bad["datasets"]["f3_linear"]["settings"] = {"n_t": 5}   # valid type, refused by the generator
    ws = workspace(tmp_path, bad)
    out = smk(ws, "results/data/f3_linear.zarr")
    assert out.returncode != 0
    log = (ws / "results" / "logs" / "simulate" / "f3_linear.log").read_text()
    assert "needs an even number of points, got n_t=5" in log and "Traceback" in log


PLUGIN = """
    import peql
    @peql.hookimpl
    def register_primitives(register):
        register(peql.Primitive("cube", 1, lambda g: g**3, lambda g: g**3))
"""
UNRELATED = """
    import peql
    @peql.hookimpl
    def register_primitives(register):
        register(peql.Primitive("quartic", 1, lambda g: g**4, lambda g: g**4))
"""


def test_tiny_workflow_end_to_end_and_incremental_reruns(tmp_path):
    config = json.loads(json.dumps(TINY))
    config["methods"]["seql"]["fit"]["network"] = {"units": ["constant:1", "identity:2", "cube:1"]}
    ws = workspace(tmp_path, config, {"cubes.py": PLUGIN, "other.py": UNRELATED})
    out = smk(ws)
    assert out.returncode == 0, out.stderr[-3000:]
    scores = json.loads((ws / "results/scores/f3_linear/seql.json").read_text())
    assert scores["refined"]["structure_correct"] is True and scores["skeleton"] == "c0*x"
    assert scores["refined"]["coef_rel_l1_pct"] < 1.0 and scores["refined"]["n_compared"] > 0
    assert "structure_correct" in scores["network"] and "success_rate" in scores["network"]
    assert (ws / "results/report/index.html").stat().st_size > 1000
    assert {p.name for p in (ws / "results/report/figures").iterdir()} >= {"f3_linear__predictions.png"}

    assert planned(ws) == {}                                   # nothing changed: nothing reruns

    (ws / "plugins/other.py").write_text(textwrap.dedent(UNRELATED) + "\n# edited\n")
    assert planned(ws) == {}                                   # a plugin the run does not use

    (ws / "plugins/cubes.py").write_text(textwrap.dedent(PLUGIN) + "\n# edited\n")
    assert planned(ws) == {"fit": 1, "extract": 1, "evaluate": 1, "report": 1, "all": 1}
    (ws / "plugins/cubes.py").write_text(textwrap.dedent(PLUGIN))

    config["methods"]["seql"]["fit"]["steps"] = 301             # a training setting
    (ws / "config.yaml").write_text(yaml.safe_dump(config))
    jobs = planned(ws)
    assert jobs == {"fit": 1, "extract": 1, "evaluate": 1, "report": 1, "all": 1}
    assert "simulate_table" not in jobs


@pytest.mark.parametrize("config", ["config.yaml", *sorted(p.relative_to(REPO).as_posix()
                                                          for p in (REPO / "workflow/configs").glob("*.yaml"))])
def test_shipped_configs_validate_and_plan(tmp_path, config):
    """Every config the project ships passes the schema and plans a DAG with fits in it."""
    jobs = planned(workspace(tmp_path, yaml.safe_load((REPO / config).read_text())))
    assert jobs.get("fit", 0) > 0 and jobs.get("report") == 1, jobs


def test_the_schema_knows_every_read_out_step_and_the_default_config_runs_the_full_chain():
    import yaml

    from peql.symbolic.chain import FULL_CHAIN, STEPS

    root = Path(__file__).resolve().parents[2]
    schema = yaml.safe_load((root / "workflow" / "schemas" / "config.schema.yaml").read_text())
    assert set(schema["properties"]["readout"]["items"]["enum"]) == set(STEPS)
    assert tuple(yaml.safe_load((root / "config.yaml").read_text())["readout"]) == FULL_CHAIN
