"""PySINDy per slice and SINDy-CP on Burgers and advection-diffusion."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from peql.baselines import SINDY, SINDY_CP

SIN_BASIS = ["1", "sin(t)", "cos(t)"]


@pytest.mark.parametrize("system,cross,library", [
    ("burgers", False, "products"), ("burgers", True, "features"), ("advection_diffusion", True, "features"),
])
def test_sindy_per_slice_recovers_the_pde_with_products(pde, judge, system, cross, library):
    data = pde(system, cross)
    doc = SINDY.run(data.x, data.y, data.param, data.names, data.param_name, library=library)
    s = judge(doc, data)
    assert s.correct and s.per_param_correct.all(), s.recovered
    assert s.coef_mse <= 1e-6 and s.rel_residual < 1e-3


def test_sindy_without_products_cannot_represent_burgers(pde, judge):
    data = pde("burgers", False)
    doc = SINDY.run(data.x, data.y, data.param, data.names, data.param_name)
    s = judge(doc, data)
    assert not s.correct and not s.per_param_correct.any()
    assert s.rel_residual > 0.2


def test_sindy_default_alpha_is_explicit_and_matters(pde, judge):
    # With Rudy's 12-term library, PySINDy's own default ridge (alpha=0.05) lets spurious terms
    # past the threshold at some slices; the explicit alpha=1e-5 does not.
    data = pde("burgers", False)
    biased = judge(SINDY.run(data.x, data.y, data.param, data.names, "t", library="products",
                             alpha=0.05), data)
    assert SINDY.defaults["alpha"] == 1e-5
    assert not biased.correct and biased.per_param_correct.mean() < 0.95


def test_sindy_cp_with_a_sine_basis_recovers_burgers_parametric_form(pde, judge):
    data = pde("burgers", True)
    doc = SINDY_CP.run(data.x, data.y, data.param, data.names, "t", basis=SIN_BASIS)
    s = judge(doc, data)
    assert s.correct and s.per_param_correct.all() and s.coef_mse <= 1e-6
    symbols = {term.split("*")[-1]: term.split("*")[0] for term in doc["skeleton"].split(" + ")}
    assert set(symbols) == {"u_u_x", "u_xx"}
    t = sympy.Symbol("t")
    a = sympy.sympify(doc["closed_form"][symbols["u_u_x"]], locals={"t": t})
    grid = np.linspace(0, 5, 50)
    np.testing.assert_allclose(sympy.lambdify(t, a)(grid), -(1 + np.sin(grid) / 4), atol=1e-3)
    assert abs(float(sympy.sympify(doc["closed_form"][symbols["u_xx"]])) - 0.1) < 1e-3
    # the per-value coefficients are the closed form evaluated at each value
    np.testing.assert_allclose(doc["coefficients"][symbols["u_u_x"]],
                               sympy.lambdify(t, a)(np.array(doc["coefficients"]["param"])), atol=1e-5)


def test_sindy_cp_fourier_basis_equals_the_same_user_terms(pde):
    data = pde("burgers", True)
    fourier = SINDY_CP.run(data.x, data.y, data.param, data.names, "t", basis="fourier", n_frequencies=1)
    user = SINDY_CP.run(data.x, data.y, data.param, data.names, "t", basis="1, sin(t), cos(t)")
    assert user["settings"]["basis"] == SIN_BASIS
    assert fourier["closed_form"] == user["closed_form"] and fourier["equations"] == user["equations"]


def test_sindy_cp_polynomial_basis_gives_polynomial_curves(pde):
    data = pde("burgers", True)
    doc = SINDY_CP.run(data.x, data.y, data.param, data.names, "t", basis="polynomial", basis_degree=2)
    t = sympy.Symbol("t")
    for formula in doc["closed_form"].values():
        expr = sympy.sympify(formula, locals={"t": t})
        assert expr.free_symbols <= {t} and sympy.degree(expr, t) <= 2
    assert set(doc["closed_form"]) == set(doc["coefficients"]) - {"param"}


def test_sindy_threshold_that_removes_everything_gives_the_zero_model(pde):
    # PySINDy warns "Sparsity parameter is too big"; the baseline filters exactly that warning
    # (pytest turns any other into an error) and records the empty model.
    data = pde("advection_diffusion", False)
    doc = SINDY.run(data.x, data.y, data.param, data.names, "x", threshold=5.0)
    assert doc["skeleton"] == "0" and doc["coefficients"] == {"param": doc["coefficients"]["param"]}
    assert {e["expression"] for e in doc["equations"]} == {"0"}
