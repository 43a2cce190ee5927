"""The tiny workflow through the SLURM executor, on the real local cluster that .ci/run starts
(workflow/profiles/slurm/local-cluster.sh). Skipped, with the reason, where SLURM is absent."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from test_workflow import TINY, workspace


def _slurm_problem() -> str | None:
    if shutil.which("sinfo") is None or shutil.which("sbatch") is None:
        return "SLURM client tools (sinfo, sbatch) are not installed"
    try:
        out = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        return "sinfo timed out"
    if out.returncode != 0:
        return f"no SLURM controller answers: {out.stderr.strip()[:200]}"
    if not any(s in out.stdout for s in ("idle", "mix", "alloc")):
        return f"no usable SLURM node (states: {out.stdout.split()})"
    return None


@pytest.mark.skipif(_slurm_problem() is not None, reason=str(_slurm_problem()))
def test_tiny_workflow_through_slurm(tmp_path):
    ws = workspace(tmp_path, TINY)
    env = {**os.environ, "PEQL_DISABLE_PLUGIN_AUTOLOAD": "1",
           "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
    cmd = ["timeout", "-s", "KILL", "900", sys.executable, "-m", "snakemake",
           "--profile", str(ws / "workflow/profiles/slurm")]
    out = subprocess.run(cmd, cwd=ws, capture_output=True, text=True, env=env)
    assert out.returncode == 0, (out.stdout + out.stderr)[-4000:]
    assert "SLURM jobid" in out.stdout + out.stderr           # really submitted, not run locally
    scores = json.loads((ws / "results/scores/f3_linear/seql.json").read_text())
    assert scores["refined"]["structure_correct"] is True
    assert (ws / "results/report/index.html").exists()
