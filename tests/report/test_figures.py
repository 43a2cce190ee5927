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
