"""Report figures and tables: readable limits, the rows each method is drawn at, the paper's
printed equations beside ours, the digit-sum accuracy."""

import numpy as np
import pytest

from peql.report.figures import readable_ylim


def test_tiny_deviations_from_a_constant_get_a_panel_around_the_value():
    true = np.full(50, 0.1)
    lo, hi = readable_ylim((0.1 - 2e-6, 0.1 + 1e-6), true)
    assert lo == pytest.approx(0.09) and hi == pytest.approx(0.11)


def test_estimates_that_are_really_off_keep_their_limits():
    true = np.linspace(-1, 1, 50)
    assert readable_ylim((-3.0, 4.0), true) == (-3.0, 4.0)


def test_network_predictions_follow_the_scored_rows():
    from peql.report.figures import _network_predictions

    score = {"figure_data": {"rows": [5, 2, 9], "prediction": [0.5, 0.2, 0.9]}}
    np.testing.assert_array_equal(_network_predictions(score, np.array([9, 2])), [0.9, 0.2])
    assert _network_predictions(score, np.array([2, 3])) is None     # a row evaluate did not keep
    assert _network_predictions({}, np.array([2])) is None


def test_paper_equations_are_found_at_the_grid_values_of_their_t():
    from peql.report.paper import paper_equation

    assert paper_equation("spring_force", "seql", -2.619047619047619) == "3.82*psi1 - 3.82*psi2"
    assert paper_equation("spring_energy", "heql", 1.9047619047619047).startswith("0.77*psi1**2")
    assert paper_equation("spring_force", "heql", -2.619047619047619) is None    # not printed
    assert paper_equation("spring_force", "seql", 0.0) is None


def test_rounded_accuracy_counts_predictions_that_round_to_the_target():
    from peql.tasks.latent import rounded_accuracy

    assert rounded_accuracy(np.array([1.4, 2.6, np.nan, 7.0]), np.array([1.0, 2.0, 3.0, 7.0])) == 0.5
    assert rounded_accuracy(np.array([np.nan]), np.array([1.0])) is None


def _drawn_prediction_figure(ds, tmp_path, monkeypatch):
    """Draw the predictions figure of ``ds`` with a method whose equation is the truth, and keep
    the matplotlib figure the function closes."""
    import matplotlib.pyplot as plt

    from peql.report.figures import prediction_figure

    kept = []
    monkeypatch.setattr(plt, "close", kept.append)
    names = [str(n) for n in ds["feature"].values]
    expr = "({})*x" if names == ["x"] else "(5 - ({}))/2*(psi1 - psi2)"
    docs = {"seql": {"equations": [{"param": float(p), "expression": expr.format(p)}
                                   for p in ds["param_value"].values]}}
    assert prediction_figure(ds, docs, tmp_path / "pred.png").exists()
    return kept[0]


def test_prediction_figure_shades_outside_the_training_range_and_only_there(tmp_path, monkeypatch):
    from peql.data import BUILTIN_SYSTEMS

    systems = {s.name: s for s in BUILTIN_SYSTEMS}
    one_input = _drawn_prediction_figure(systems["f3_linear"].simulate(n_t=4), tmp_path, monkeypatch)
    assert all(len(ax.patches) == 2 for ax in one_input.axes)           # both sides of the range
    assert "shaded" in one_input._suptitle.get_text()
    assert all(ax.get_xlabel() == "x" for ax in one_input.axes)

    springs = systems["spring_force"].simulate(n_t=4)
    over_axis = _drawn_prediction_figure(springs, tmp_path, monkeypatch)
    assert all(ax.get_xlabel() == "psi1 - psi2" for ax in over_axis.axes)
    assert sum(len(ax.patches) for ax in over_axis.axes) >= len(over_axis.axes)
    assert "shaded" in over_axis._suptitle.get_text()

    del springs.attrs["extrapolation_axis"]
    parity = _drawn_prediction_figure(springs, tmp_path, monkeypatch)
    assert all(len(ax.patches) == 0 and ax.get_ylabel() == "predicted" for ax in parity.axes)
    assert "shaded" not in parity._suptitle.get_text()
    # the method's points lie on the diagonal: its equation is the truth
    for ax in parity.axes:
        truth, pred = ax.lines[0].get_data()
        np.testing.assert_allclose(pred, truth, rtol=1e-9, atol=1e-9)
