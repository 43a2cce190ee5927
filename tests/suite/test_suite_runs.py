"""``peql suite``: records per (problem, method, seed), a rerun keeps them, the table labels every
verdict, the coefficient error of the scoring, and a user's files are never replaced."""

import json

import pytest
import sympy

from peql.cli import main
from peql.suite import HELD_OUT, PROBLEMS
from peql.suite.score import coefficient_error, score_expressions
from peql.suite.table import markdown


def test_a_suite_run_writes_a_record_per_run_and_a_labelled_table(tmp_path, capsys):
    out = tmp_path / "suite"
    assert main(["suite", "-o", str(out), "--problems", "poly_quadratic", "--methods", "pysindy,sindy-cp"]) == 0
    rec = json.loads((out / "pysindy" / "poly_quadratic.s0.json").read_text())
    assert rec["peql_document"] == "suite-record" and rec["category"] == "poly" and rec["held_out"] is False
    v = rec["verdicts"]["pysindy"]
    assert v["correct"] is True and v["test_r2"] > 0.999999 and v["coef_rel_l1_pct"] < 1e-3
    table = (out / "table.md").read_text()
    assert "pysindy: right" in table and "sindy-cp: right" in table and "`poly_quadratic` | poly | yes | yes" in table
    # a rerun keeps the records: nothing is refitted
    before = (out / "pysindy" / "poly_quadratic.s0.json").stat().st_mtime_ns
    assert main(["suite", "-o", str(out), "--problems", "poly_quadratic", "--methods", "pysindy"]) == 0
    assert "(kept)" in capsys.readouterr().err
    assert (out / "pysindy" / "poly_quadratic.s0.json").stat().st_mtime_ns == before


def test_the_suite_never_replaces_a_users_table_or_record(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "table.md").write_text("my notes\n")
    assert main(["suite", "-o", str(out), "--problems", "poly_quadratic", "--methods", "pysindy"]) == 2
    assert "table.md" in capsys.readouterr().err and (out / "table.md").read_text() == "my notes\n"
    (out / "table.md").unlink()
    (out / "pysindy").mkdir()
    (out / "pysindy" / "poly_quadratic.s0.json").write_text('{"mine": 1}')
    assert main(["suite", "-o", str(out), "--problems", "poly_quadratic", "--methods", "pysindy"]) == 2
    assert "poly_quadratic.s0.json" in capsys.readouterr().err
    assert (out / "pysindy" / "poly_quadratic.s0.json").read_text() == '{"mine": 1}'


@pytest.mark.parametrize("argv, message", [
    (["--problems", "no_such_problem"], "unknown suite problem"),
    (["--methods", "pysr"], "--methods: unknown"),
    (["--seeds", "one"], "--seeds"),
])
def test_bad_suite_arguments_are_named(tmp_path, capsys, argv, message):
    assert main(["suite", "-o", str(tmp_path / "s"), *argv]) == 2
    assert message in capsys.readouterr().err and not (tmp_path / "s").exists()


def test_the_coefficient_error_compares_every_number_of_a_right_structure():
    d = PROBLEMS["sine_frequency"].generate(0)   # sin((1 + t) x) + (0.5 + 0.5 t) x
    exact = {v: d.truth_at(v) for v, _ in d.groups()}
    s = score_expressions(d, exact)
    assert s["correct"] and s["coef_rel_l1_pct"] == pytest.approx(0.0, abs=1e-9) and s["test_r2"] == pytest.approx(1.0)
    # every number 1 % off: the error is 1 %, over 3 numbers (lead and inner of the sine, the
    # slope) at every value where the structure is right
    x = sympy.Symbol("x")
    shifted = {v: 1.01 * sympy.sin(1.01 * (1 + v) * x) + 1.01 * (0.5 + 0.5 * v) * x for v, _ in d.groups()}
    s = score_expressions(d, shifted)
    assert s["correct"] and s["coef_rel_l1_pct"] == pytest.approx(1.0, rel=1e-6)
    assert s["n_compared"] == 3 * len(d.groups())
    assert coefficient_error([], [], [])["coef_rel_l1_pct"] is None


def test_the_table_counts_categories_and_keeps_the_held_out_third_apart():
    def rec(problem, right, held):
        return {"problem": problem, "method": "pysindy", "seed": 0, "held_out": held, "wall_time_s": 1.0,
                "verdicts": {"pysindy": {"correct": right, "coef_rel_l1_pct": 0.1 if right else None,
                                         "n_compared": 3, "test_r2": 0.9}}}
    held = sorted(HELD_OUT)[0]
    text = markdown([rec("poly_quadratic", True, False), rec("poly_cubic", False, False), rec(held, True, True)])
    working, held_part = text.split("## Held-out third")
    assert "| poly | 2 | 1/2 |" in working and held not in working and held in held_part
