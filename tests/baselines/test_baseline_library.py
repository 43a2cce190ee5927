"""The candidate libraries, and PySINDy building exactly the same ones."""

from __future__ import annotations

import numpy as np
import pysindy as ps
import pytest
import sympy

from peql.baselines.library import build_library, library_matrix, product_inputs
from peql.baselines.sindy import fit_pysindy
from peql.baselines.sindy_library import column_order, parse_sindy_name, sindy_library

PLAIN = ["u", "u_x", "u_xx"]
CROSS = ["u", "u_x", "u_xx", "u_u_x", "u_u_xx"]


def names(terms):
    return [t.name for t in terms]


def test_features_library_is_a_constant_plus_the_inputs():
    assert names(build_library(CROSS, "features")) == ["1", *CROSS]


def test_products_library_is_rudys():
    terms = build_library(["u", "u_x", "u_xx", "u_xxx"], "products", degree=3)
    assert len(terms) == 16  # {1, u, u^2, u^3} x {1, u_x, u_xx, u_xxx}
    assert names(terms)[:6] == ["1", "u_x", "u_xx", "u_xxx", "u", "u*u_x"]
    assert "u**3*u_xxx" in names(terms)
    # on cross-term data a stored product is used under its own name, never twice
    cross = names(build_library(CROSS, "products", degree=2))
    assert cross == ["1", "u_x", "u_xx", "u", "u_u_x", "u_u_xx", "u**2", "u**2*u_x", "u**2*u_xx"]


def test_polynomial_library_holds_every_monomial_once():
    terms = build_library(CROSS, "polynomial", degree=2)
    assert len(terms) == 10  # monomials of u, u_x, u_xx up to degree 2
    assert {"u**2", "u_u_x", "u_x*u_xx", "u_xx**2"} <= set(names(terms)) and "u*u_x" not in names(terms)


def test_library_matrix_values():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 3))
    x_cross = np.column_stack([x, x[:, 0] * x[:, 1], x[:, 0] * x[:, 2]])
    terms = build_library(CROSS, "products", degree=3)
    theta = library_matrix(x_cross, terms)
    syms = sympy.symbols(CROSS)
    for j, t in enumerate(terms):
        expected = sympy.lambdify(syms, sympy.sympify(t.name))(*x_cross.T)
        np.testing.assert_allclose(theta[:, j], np.broadcast_to(expected, (20,)), rtol=1e-12)


def test_product_inputs_are_recognised_by_name():
    assert product_inputs(CROSS) == {"u_u_x": ("u", "u_x"), "u_u_xx": ("u", "u_xx")}
    assert product_inputs(["x", "y"]) == {}


@pytest.mark.parametrize("kind,inputs,message", [
    ("splines", PLAIN, "unknown library 'splines'"),
    ("products", ["x", "y"], "needs one field u"),
    ("products", ["u", "u_x", "v"], "inputs ['v'] do not fit"),
])
def test_library_errors_name_the_problem(kind, inputs, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        build_library(inputs, kind)


def test_library_degree_must_be_positive():
    with pytest.raises(ValueError, match="degree must be an integer >= 1, got 0"):
        build_library(PLAIN, "polynomial", degree=0)


@pytest.mark.parametrize("inputs", [PLAIN, CROSS], ids=["plain", "cross"])
@pytest.mark.parametrize("kind,degree", [("features", 3), ("products", 3), ("polynomial", 2)])
def test_pysindy_builds_the_same_library(inputs, kind, degree):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(60, 3))
    if inputs is CROSS:
        x = np.column_stack([x, x[:, 0] * x[:, 1], x[:, 0] * x[:, 2]])
    lib = sindy_library(ps, inputs, kind, degree)
    library = lib.make()
    cols = x[:, lib.columns]
    theta_ps = np.asarray(library.fit_transform(cols))
    sindy_names = library.get_feature_names([inputs[i] for i in lib.columns])
    order = column_order([parse_sindy_name(n) for n in sindy_names], lib.terms, inputs)
    np.testing.assert_allclose(theta_ps[:, order], library_matrix(x, lib.terms), rtol=1e-12)


def test_pysindy_fit_reads_back_in_peql_order():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(200, 3))
    y = -0.9 * x[:, 0] * x[:, 1] + 0.1 * x[:, 2]
    lib = sindy_library(ps, PLAIN, "products", 3)
    settings = {"threshold": 0.05, "alpha": 1e-5, "max_iter": 20}
    row, sindy_names = fit_pysindy(ps, lib.make(), x, y, None, PLAIN, settings)
    coef = row[column_order([parse_sindy_name(n) for n in sindy_names], lib.terms, PLAIN)]
    expected = {"u*u_x": -0.9, "u_xx": 0.1}
    np.testing.assert_allclose(coef, [expected.get(t.name, 0.0) for t in lib.terms], atol=1e-8)
