"""A new kind of experiment needs one plugin file and no edit anywhere else: the toy plugin of
tests/tasks/plugins/toy_task.py (a dataset kind peql does not know, its system and its task) runs
through simulate, fit, extract, evaluate and a workflow's report. Every built-in task passes
peql.testing.check_task, and two tasks may not claim one kind."""

import json
import shutil
from pathlib import Path

import pytest

from peql.cli import main
from peql.plugins import load_registry
from peql.registry import RegistryError
from peql.testing import check_task

PLUGIN = Path(__file__).parent / "plugins" / "toy_task.py"


@pytest.fixture()
def plugins(tmp_path):
    folder = tmp_path / "plugins"
    folder.mkdir()
    shutil.copy(PLUGIN, folder / "toy_task.py")
    return folder


def test_a_plugin_task_runs_through_the_command_line(plugins, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    run = ["--plugins-dir", str(plugins)]
    assert main([*run, "list", "tasks"]) == 0
    assert "ratio_task" in capsys.readouterr().out
    assert main([*run, "simulate", "toy_ratio", "-o", "toy.zarr"]) == 0
    assert main([*run, "fit", "toy.zarr", "-o", "run", "--trials", "2", "--steps", "300", "--quiet"]) == 0
    assert main([*run, "extract", "run", "toy.zarr", "-o", "eq"]) == 0
    doc = json.loads((tmp_path / "eq" / "equations.json").read_text())
    assert doc["task"] == "ratio_task" and doc["inputs"] == ["u"] and len(doc["trials"]) == 2
    assert main([*run, "evaluate", "eq", "toy.zarr", "-o", "scores.json", "--run-dir", "run"]) == 0
    scores = json.loads((tmp_path / "scores.json").read_text())
    assert scores["system"] == "toy_ratio" and "slope_right" in scores


def test_a_plugin_task_runs_in_a_workflow_with_its_report(plugins, tmp_path):

    from workflow.test_workflow import smk, workspace

    config = {"results": "results", "device": "cpu", "threads_per_fit": 1, "plugins_dir": str(plugins),
              "datasets": {"toy": {"system": "toy_ratio"}},
              "methods": {"seql": {"architecture": "seql", "fit": {"trials": 2, "steps": 100}}},
              "runs": [{"datasets": ["toy"], "methods": ["seql"]}]}
    (tmp_path / "ws").mkdir()
    ws = workspace(tmp_path / "ws", config)
    out = smk(ws)
    assert out.returncode == 0, out.stderr[-3000:]
    tables = json.loads((ws / "results" / "report" / "tables.json").read_text())
    assert tables["equations"]["toy"][0]["method"] == "seql"
    assert (ws / "results" / "report" / "figures" / "toy__ratio.png").exists()
    assert "toy__ratio.png" in (ws / "results" / "report" / "index.html").read_text()


def test_every_builtin_task_passes_check_task(registry, tmp_path):
    from peql.fit import FitSettings

    f3 = registry.get("systems", "f3_linear").simulate(n_t=4, n_train=32, n_val=16, n_test=16)
    check_task(registry.get("tasks", "tabular"), f3, registry=registry, workdir=tmp_path / "tabular")
    springs = registry.get("systems", "spring_force").simulate(n_t=4, n_train=16, n_val=8, n_test=8)
    encoded = FitSettings(architecture="seql", trials=2, steps=20, lr=1e-3, samples_per_group=2, encoder="conv1d",
                          network={"hidden_layers": 1}, device="cpu")
    check_task(registry.get("tasks", "latent"), springs, encoded, registry, tmp_path / "latent")
    kin = registry.get("systems", "kinematics").simulate(n_train=16, n_val=8, n_test=8, steps_in=12, steps_out=6)
    cell = FitSettings(architecture="eql", trials=2, steps=20, schedule="constant", samples_per_group="all",
                       groups_per_batch="all", target_normalisation="none", encoder="series1d", device="cpu",
                       network={"hidden_layers": 1, "skip": False, "units": ["constant:1", "identity:3", "product:1"]})
    out = check_task(registry.get("tasks", "dynamics"), kin, cell, registry, tmp_path / "dynamics")
    assert out["document"]["task"] == "dynamics"


def test_two_tasks_claiming_one_kind_are_refused(tmp_path):
    (tmp_path / "twice.py").write_text(
        "import peql\nclass T(peql.Task):\n    name, kinds, description = 'mine', ('tabular',), 'a second tabular'\n"
        "@peql.hookimpl\ndef register_tasks(register):\n    register(T())\n")
    with pytest.raises(RegistryError, match="dataset kind 'tabular' is already claimed by task '(tabular|mine)'"):
        load_registry(tmp_path, autoload=False)
