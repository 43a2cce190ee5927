"""The ``support`` step of the read-out chain (peql.symbolic.support): a sine in its linear range
becomes its argument, sines standing in for a cubic become the monomials, a right law with a
varying frequency and a small true term stay as they are, noise does not buy a term; deterministic
(no training), on exact and noisy rows."""

import numpy as np
import pytest
import sympy

from peql.symbolic.chain import FULL_CHAIN, apply_chain
from peql.symbolic.magnitude import Scale
from peql.symbolic.readout import Readout, law_of

TS = np.linspace(0.0, 1.0, 10)
NAMES = ["x", "y"]


def _rows(seed=0, low=-1.0, high=2.0):
    rng = np.random.default_rng(seed)
    return [rng.uniform(low, high, (200, 2)) for _ in TS]


def _chain(skeleton, coefs, truth, noise=0.0, seed=0, box=(-1.0, 2.0)):
    xs = _rows(seed, *box)
    rng = np.random.default_rng(seed + 1)
    ys = [truth(X[:, 0], X[:, 1], t) for X, t in zip(xs, TS)]
    ys = [y + noise * np.std(y) * rng.standard_normal(len(y)) for y in ys]
    coefs = {k: np.broadcast_to(np.asarray(v, float), TS.shape).copy() for k, v in coefs.items()}
    scale = Scale({"x": 2.0, "y": 2.0}, np.array([np.ptp(y) for y in ys]))
    r = Readout(skeleton, TS, coefs, law_of(skeleton, coefs, NAMES, scale, 0.01), 5, scale)
    return apply_chain(r, ["refit", "support"], xs, ys, NAMES, 0.01)


def _shapes(r):
    return {str(t.as_coeff_Mul()[1].subs({s: 1 for s in t.free_symbols if str(s).startswith("c")}))
            for t in sympy.Add.make_args(sympy.sympify(r.skeleton))}


def test_a_sine_in_its_linear_range_becomes_its_argument():
    r, rec = _chain("c0*sin(c1*x) + c2*y", {"c0": 14989.0, "c1": 0.00168, "c2": 1.0},
                    lambda x, y, t: 25 * (1 + t) * x + y)
    assert _shapes(r) == {"x", "y"} and rec.support == {"added": ["x"], "dropped": ["sin(c1*x)"]}
    np.testing.assert_allclose(r.coefficients[str(sympy.sympify(r.skeleton).coeff(sympy.Symbol("x")))],
                               25 * (1 + TS), rtol=1e-9)


def test_sines_standing_in_for_a_cubic_become_the_monomials():
    r, rec = _chain("c0*sin(c1*x) + c2*sin(c3*x) + c4", {"c0": 1.0, "c1": 1.0, "c2": 0.2, "c3": 2.0, "c4": 0.1},
                    lambda x, y, t: (1 + t) * x**3 - x)
    assert _shapes(r) == {"x", "x**3"}
    assert sorted(rec.support["added"]) == ["x", "x**3"]


@pytest.mark.parametrize("noise", [0.0, 0.05])
def test_a_right_law_keeps_its_terms_a_small_true_one_included(noise):
    r, rec = _chain("c0*sin(c1*x) + c2*y + c3*x**2", {"c0": 1.0, "c1": 1 + TS, "c2": 0.5, "c3": 0.05},
                    lambda x, y, t: np.sin((1 + t) * x) + 0.5 * y + 0.05 * x**2, noise=noise)
    if noise == 0.0:
        assert rec.support == {"added": [], "dropped": []}
    assert {"y", "x**2"} <= _shapes(r) and any(s.startswith("sin") for s in _shapes(r)) and len(_shapes(r)) == 3


def test_noise_does_not_buy_terms():
    """At 5 % target noise over three draws, no constant or extra monomial joins a right law."""
    for seed in range(3):
        r, _ = _chain("c0*x**2 + c1*x*y", {"c0": 1.0, "c1": -1.0}, lambda x, y, t: (1 + t) * x**2 - (2 - t) * x * y,
                      noise=0.05, seed=seed)
        assert _shapes(r) == {"x**2", "x*y"}, (seed, r.skeleton)


def test_the_full_chain_runs_support_after_polishing_inner_numbers():
    assert FULL_CHAIN.index("support") > FULL_CHAIN.index("merge") and FULL_CHAIN[FULL_CHAIN.index("support") + 1] == "polish"


def test_one_group_is_left_as_it_is():
    """A recurrent cell's heads are one group with the latent among the inputs: no support step."""
    from peql.symbolic.support import select_support

    X = np.random.default_rng(0).uniform(-1, 1, (100, 2))
    coefs = {"c0": np.array([14989.0]), "c1": np.array([0.00168])}
    scale = Scale({"x": 1.0, "y": 1.0}, np.array([2.0]))
    r = Readout("c0*sin(c1*x)", np.zeros(1), coefs, law_of("c0*sin(c1*x)", coefs, NAMES, scale, 0.01), 2, scale)
    out, changed = select_support(r, [X], [25 * X[:, 0]], NAMES)
    assert out is r and changed == {"added": [], "dropped": []}


def test_a_sine_slightly_off_in_frequency_is_kept_and_tuned_not_replaced_by_a_cubic():
    """The network's sine at 0.97 of the true frequency, a missing input and a wrong one: the
    support keeps the sine (its frequency polished to the truth), adds y and drops x."""
    r, rec = _chain("c0*sin(c1*x) + c2*y**2", {"c0": 1.0, "c1": 0.97 * (1.5 + TS), "c2": 0.3},
                    lambda x, y, t: (2 + t) * np.sin((1.5 + t) * x) - 1.2 * y)
    assert _shapes(r) == {"sin(x)", "y"}, r.skeleton
    slot = next(str(s) for s in sympy.sympify(r.skeleton).atoms(sympy.sin).pop().free_symbols if str(s) != "x")
    np.testing.assert_allclose(np.abs(r.coefficients[slot]), 1.5 + TS, rtol=1e-6)


def test_alike_terms_that_swap_roles_along_the_parameter_are_sorted_first():
    """Two sines trade places along t (the linear-range one is c1 on half the values, c3 on the
    rest): the support still drops the linear-range one for its argument."""
    small, big = 0.01 * np.ones_like(TS), 1.0 + TS
    half = TS < 0.5
    coefs = {"c0": np.where(half, 50.0, 1.0), "c1": np.where(half, small, big),
             "c2": np.where(half, 1.0, 50.0), "c3": np.where(half, big, small)}
    r, rec = _chain("c0*sin(c1*x) + c2*sin(c3*x)", coefs, lambda x, y, t: np.sin((1 + t) * x) + 0.5 * x)
    assert _shapes(r) == {"sin(x)", "x"}, r.skeleton


def test_shapes_the_network_did_not_propose_are_offered_and_tuned():
    """An exponential decay written by the network as a quadratic, and a forcing ``cos(y)`` on an
    input the network never used: the shape library offers both, with their rates polished."""
    r, rec = _chain("c0*x**2 + c1*x + c2", {"c0": 0.3, "c1": -1.1, "c2": 2.3},
                    lambda x, y, t: (2 + t) * np.exp(-(0.5 + t) * x) + 0.5 * x)
    assert _shapes(r) == {"exp(x)", "x"}, r.skeleton
    r, rec = _chain("c0*x + c1*x**3", {"c0": 1.0, "c1": -1.0}, lambda x, y, t: x - x**3 + (0.2 + t) * np.cos(1.5 * y))
    assert _shapes(r) == {"x", "x**3", "cos(y)"}, r.skeleton
    slot = next(str(s) for s in sympy.sympify(r.skeleton).atoms(sympy.cos).pop().free_symbols if str(s) != "y")
    np.testing.assert_allclose(np.abs(r.coefficients[slot]), 1.5, rtol=1e-6)


def test_an_empty_read_out_gets_the_terms_the_data_need():
    """Every term gated off (skeleton ``0``): the support builds the law from its candidates."""
    r, rec = _chain("0", {}, lambda x, y, t: 0.2 + (1 + t) * x * y - 4 * y)
    assert _shapes(r) == {"1", "x*y", "y"}, r.skeleton


def test_a_polynomial_whose_terms_dwarf_their_sum_is_a_law_not_a_cancellation():
    """An Allee term ``u*(u - 0.3)*(1 - u)`` on [0, 1]: each monomial is many times the target, and
    the support still takes the three monomials (the cancellation guard watches sines and
    exponentials only)."""
    r, rec = _chain("c0*sin(c1*x) + c2", {"c0": 0.1, "c1": 3.0, "c2": 0.0},
                    lambda x, y, t: (2 + t) * x * (x - 0.3) * (1 - x), box=(0.0, 1.0))
    assert _shapes(r) == {"x", "x**2", "x**3"}, r.skeleton


def test_a_round_off_phase_leaves_the_law():
    """A phase of 1e-17 beside ``1.0*x`` is dropped even at threshold zero; a real one stays."""
    from peql.symbolic.magnitude import law_expressions

    c = {"c0": np.array([1.5, 1.2]), "c1": np.array([1.0, 1.0]), "c2": np.array([-1.2e-17, 1.05])}
    laws = law_expressions("c0*sin(c1*x + c2)", c, ["x"], Scale({"x": 3.0}, np.array([3.0, 3.0])), 0.0)
    assert [str(e) for e in laws] == ["1.5*sin(1.0*x)", "1.2*sin(1.0*x + 1.05)"]


def test_a_read_out_left_as_it_is_carries_no_library_slots():
    """When the data keep the read-out's own terms, its coefficients come back without the shape
    library's inner slots (nothing downstream sees a slot the skeleton lacks)."""
    r, rec = _chain("c0*x**2 + c1*x*y", {"c0": 1.0, "c1": -1.0}, lambda x, y, t: (1 + t) * x**2 - (2 - t) * x * y)
    assert rec.support == {"added": [], "dropped": []}
    assert set(r.coefficients) == {str(s) for s in sympy.sympify(r.skeleton).free_symbols} - set(NAMES)


def test_many_parameter_values_search_on_a_subset_and_fit_every_value():
    """Above SEARCH_VALUES the search scores on evenly spaced values; the chosen support is still
    fitted at every value, the ones the search did not look at included."""
    from peql.symbolic import support

    ts = np.linspace(0.0, 1.0, 2 * support.SEARCH_VALUES + 7)
    picked = support._search_values(len(ts))
    assert len(picked) == support.SEARCH_VALUES and picked[0] == 0 and picked[-1] == len(ts) - 1
    rng = np.random.default_rng(0)
    xs = [rng.uniform(-1.0, 2.0, (40, 2)) for _ in ts]
    ys = [25 * (1 + t) * X[:, 0] + X[:, 1] for X, t in zip(xs, ts)]
    coefs = {"c0": np.full(ts.shape, 14989.0), "c1": np.full(ts.shape, 0.00168), "c2": np.ones(ts.shape)}
    scale = Scale({"x": 2.0, "y": 2.0}, np.array([np.ptp(y) for y in ys]))
    skeleton = "c0*sin(c1*x) + c2*y"
    r = Readout(skeleton, ts, coefs, law_of(skeleton, coefs, NAMES, scale, 0.01), 5, scale)
    r, rec = apply_chain(r, ["refit", "support"], xs, ys, NAMES, 0.01)
    assert _shapes(r) == {"x", "y"} and rec.support == {"added": ["x"], "dropped": ["sin(c1*x)"]}
    lead_x = r.coefficients[str(sympy.sympify(r.skeleton).coeff(sympy.Symbol("x")))]
    np.testing.assert_allclose(lead_x, 25 * (1 + ts), rtol=1e-9)   # every value, searched or not
