"""The README's first two commands are the ones CI and users run: keep them and .ci/run in sync."""

import re

from helpers import REPO


def _blocks():
    return re.findall(r"```bash\n(.*?)\n```", (REPO / "README.md").read_text(), re.S)


def test_readme_starts_with_run_and_test_commands():
    run, test = _blocks()[:2]
    assert run.strip().endswith("snakemake --cores 2") and "pip install torch==2.13.0" in run
    assert test.strip().endswith("pytest") and "pip install -e '.[test]'" in test


def test_ci_runs_exactly_the_readme_test_command():
    test = _blocks()[1].strip()
    ci = (REPO / ".ci/run").read_text()
    assert test in ci.splitlines()
