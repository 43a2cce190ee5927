"""The generalisation suite (peql.suite): every problem generates finite data of the documented
shapes, its truth matches its rows, the held-out third is the frozen Random(2026) draw, and the
frozen PySINDy protocol recovers the structure of easy exact problems."""

import random

import numpy as np
import pytest
import sympy

from peql.evaluate import judge_structure
from peql.suite import HELD_OUT, PROBLEMS, estimate_derivative
from peql.suite.problems import CATEGORIES, ODE_SYSTEMS, catalogue
from peql.suite.score import score_expressions

NOISY = {"ode-noisy", "noisy-target"}


@pytest.fixture(scope="module")
def data():
    """Every problem generated once at seed 0 (the two ODE variants share one integration)."""
    return {name: p.generate(0) for name, p in PROBLEMS.items()}


def _truth_values(d, rows):
    """The truth at the given rows, each through ``truth_at`` of its own parameter value."""
    symbols = [sympy.Symbol(n) for n in d.input_names]
    out = np.empty(len(rows))
    for v in np.unique(d.t[rows]):
        at = d.t[rows] == v
        fn = sympy.lambdify(symbols, d.truth_at(v), "numpy")
        out[at] = np.broadcast_to(fn(*d.X[rows[at]].T), (int(at.sum()),))
    return out


def test_the_suite_has_its_documented_size_and_categories():
    cats = [p.category for p in PROBLEMS.values()]
    assert len(PROBLEMS) >= 30 and set(cats) == set(CATEGORIES)
    assert sum(p.kind == "ode" for p in PROBLEMS.values()) >= 15
    assert sum(p.kind == "table" for p in PROBLEMS.values()) >= 15
    assert len(ODE_SYSTEMS) == 8 and cats.count("ode-exact") == cats.count("ode-noisy")
    for s in catalogue().values():   # every exported law parses with its p_ parameters as symbols
        assert s["equations_with_swept"] and s["sweep_range"][0] < s["sweep_range"][1]


def test_every_problem_generates_finite_data_of_the_documented_shapes(data):
    for name, d in data.items():
        n, k = d.X.shape
        assert d.X.dtype == np.float64 and d.y.shape == (n,) and d.t.shape == (n,), name
        assert len(d.input_names) == k and d.param_name == "t", name
        assert np.all(np.isfinite(d.X)) and np.all(np.isfinite(d.y)) and np.all(np.isfinite(d.t)), name
        masks = np.stack([d.train, d.val, d.test])
        assert masks.dtype == bool and np.all(masks.sum(0) == 1), name    # a partition of the rows
        assert 0.17 < d.test.mean() < 0.23 and 0.17 < d.val.mean() < 0.23, name
        assert d.truth.free_symbols <= {sympy.Symbol(s) for s in d.input_names} | {sympy.Symbol("t")}, name
        values, counts = np.unique(d.t, return_counts=True)
        if PROBLEMS[name].category == "scattered":
            assert d.scattered and len(values) >= 500, name
        else:
            assert not d.scattered and len(values) >= 16 and 100 <= counts.min() <= counts.max() <= 400, name
            for v in values:   # the test rows are held out at every parameter value
                assert d.test[d.t == v].any() and d.train[d.t == v].any(), name


def test_the_truth_matches_the_data(data):
    rng = np.random.default_rng(0)
    for name, d in data.items():
        if PROBLEMS[name].category in NOISY:
            # Noisy targets: the truth (at the noisy inputs) still explains the target almost fully.
            rows = np.flatnonzero(np.isin(d.t, np.unique(d.t)[[0, len(np.unique(d.t)) // 2, -1]]))
            assert np.corrcoef(_truth_values(d, rows), d.y[rows])[0, 1] > 0.99, name
        else:
            rows = rng.choice(len(d.y), 4, replace=False)
            truth = _truth_values(d, rows)
            np.testing.assert_allclose(d.y[rows], truth, rtol=1e-8, atol=1e-8 * np.abs(d.y).max(), err_msg=name)


def test_the_held_out_third_is_the_frozen_random_2026_draw():
    names = sorted(PROBLEMS)
    assert HELD_OUT == frozenset(random.Random(2026).sample(names, k=len(names) // 3))
    assert len(HELD_OUT) == len(PROBLEMS) // 3 and HELD_OUT <= set(PROBLEMS)


def test_estimate_derivative_follows_a_noisy_sine():
    t = np.linspace(0, 4 * np.pi, 800)
    x = 2 * np.sin(t) + 0.02 * np.random.default_rng(1).standard_normal(len(t))
    err = estimate_derivative(t, x)[50:-50] - 2 * np.cos(t[50:-50])
    assert np.sqrt(np.mean(err ** 2)) < 0.05 * 2 / np.sqrt(2)


@pytest.mark.parametrize("name", ["poly_quadratic", "arneodo_dz_exact"])
def test_pysindy_recovers_easy_exact_problems(data, name):
    from peql.suite.sindy import run_sindy

    d = data[name]
    out = run_sindy(d)
    groups = d.groups()
    verdict = judge_structure([out["expressions"][v] for v, _ in groups], [d.truth_at(v) for v, _ in groups],
                              [d.X[m & d.train] for _, m in groups], [d.y[m & d.train] for _, m in groups],
                              d.input_names)
    assert verdict.correct, (verdict.missing, verdict.extra)
    assert score_expressions(d, out["expressions"])["test_r2"] > 0.999999
