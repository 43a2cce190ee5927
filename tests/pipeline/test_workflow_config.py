"""Workflow configs as Snakemake builds them: a `--configfile` merged over config.yaml."""

from pathlib import Path

import pytest

from peql.pipeline.workflow import fit_settings, load_config, merge

ROOT = Path(__file__).resolve().parents[2]


def test_mappings_merge_key_by_key_and_everything_else_is_replaced():
    base = {"a": {"x": 1, "y": {"p": 1, "q": 2}}, "l": [1, 2], "s": 1}
    over = {"a": {"y": {"q": 3}, "z": 4}, "l": [9], "s": {"now": "a mapping"}}
    assert merge(base, over) == {"a": {"x": 1, "y": {"p": 1, "q": 3}, "z": 4}, "l": [9], "s": {"now": "a mapping"}}
    assert base == {"a": {"x": 1, "y": {"p": 1, "q": 2}}, "l": [1, 2], "s": 1}   # inputs untouched


def test_the_springs_heads_inherit_the_code_primitives_from_config_yaml():
    # springs.yaml names only hidden_layers: the units are config.yaml's (sin(4 pi g), 10 g1 g2),
    # which is what its recorded runs trained with
    config = load_config(ROOT / "workflow" / "configs" / "springs.yaml", ROOT / "config.yaml")
    settings = fit_settings(config, "spring_energy", "seql")
    units = settings["network"]["units"]
    assert settings["network"]["hidden_layers"] == 1
    assert {"name": "sin", "count": 2, "params": {"frequency": pytest.approx(12.566370614359172)}} in units
    assert {"name": "product", "count": 2, "params": {"scale": 10.0}} in units
    assert settings["options"] == {"init": "shared"} and settings["encoder"] == "conv1d"
    assert config["results"] == "results-springs" and "f1_sgn" in config["datasets"]   # merged, not replaced


def test_the_last_run_naming_a_pair_sets_its_fit_over_the_method():
    config = {"device": "auto",
              "methods": {"m": {"architecture": "seql", "fit": {"steps": 10, "lr": 0.1}}, "b": {"baseline": "sgtr"}},
              "runs": [{"datasets": ["d"], "methods": ["m"], "fit": {"steps": 20, "rw": 1.0}},
                       {"datasets": ["d", "e"], "methods": ["m"], "fit": {"steps": 30}}]}
    assert fit_settings(config, "d", "m") == {"steps": 30, "lr": 0.1, "architecture": "seql", "device": "auto"}
    assert fit_settings(config, "d", "m", device="cpu")["device"] == "cpu"
    with pytest.raises(ValueError, match="no run of the config pairs dataset 'x' with method 'm'"):
        fit_settings(config, "x", "m")
    with pytest.raises(ValueError, match="method 'b' is a baseline"):
        fit_settings(config, "d", "b")


def test_a_missing_base_config_is_named(tmp_path):
    (tmp_path / "c.yaml").write_text("results: r\n")
    with pytest.raises(FileNotFoundError, match="nowhere.yaml"):
        load_config(tmp_path / "c.yaml", tmp_path / "nowhere.yaml")
    assert load_config(tmp_path / "c.yaml", None) == {"results": "r"}
