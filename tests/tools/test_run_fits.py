"""tools/run_fits.py: a config's fits without Snakemake (the GPU box), with the workflow's merge rule."""

import json
import os
import subprocess
import sys

import yaml

from helpers import REPO


def test_run_fits_merges_settings_and_scores_both_read_outs(tmp_path):
    config = yaml.safe_load((REPO / "tests/workflow/config.yaml").read_text())
    config["runs"][0]["fit"] = {"steps": 400}          # a run's fit overrides the method's
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(config))
    env = {**os.environ, "PEQL_DISABLE_PLUGIN_AUTOLOAD": "1", "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, str(REPO / "tools/run_fits.py"), "c.yaml", "--jobs", "1", "--trials", "3"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=600, env=env)
    assert out.returncode == 0, out.stderr
    done = json.loads((tmp_path / "results/models/f3_linear/seql/done.json").read_text())
    assert done["settings"]["steps"] == 400 and done["settings"]["trials"] == 3
    scores = json.loads((tmp_path / "results/scores/f3_linear/seql.json").read_text())
    doc = json.loads((tmp_path / "results/equations/f3_linear/seql/equations.json").read_text())
    assert doc["refit"] is True and doc["network"]["skeleton"] and doc["readout"]["steps"][0] == "refit"
    refined = scores["refined"]
    assert refined["structure_correct"] and refined["coef_mse"] < 1e-6    # y = t x recovered
