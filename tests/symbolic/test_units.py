"""The law does not depend on the units of the data (DESIGN 6b: thresholds act in normalised units
or through the significance rule). A network trains on scaled data, so the same trained network
read out under inputs or a target recorded in other units must give the same structure, and the
read-out chain on the rescaled rows the same refined law, with the coefficients rescaled."""

import dataclasses

import numpy as np
import pytest
import sympy

from peql.fit import FitSettings, fit
from peql.symbolic.chain import FULL_CHAIN, apply_chain
from peql.symbolic.readout import read_out
from peql.symbolic.select import group_rows

SCALINGS = [(1e-3, 1.0), (1e3, 1.0), (1.0, 1e-3), (1.0, 1e3), (1e3, 1e-3), (1e-3, 1e3)]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """y = (1 + t) x^2 - 2 t x, SEQL, 2 trials: one small fit (about 20 s)."""
    from peql.plugins import load_registry

    rng = np.random.default_rng(0)
    t = np.repeat(np.linspace(-1, 1, 8), 64)
    x = rng.uniform(-2, 2, (t.size, 1))
    y = (1 + t) * x[:, 0] ** 2 - 2 * t * x[:, 0]
    settings = FitSettings(architecture="seql", trials=2, steps=1500, seed=0, device="cpu")
    result = fit(x, y, t, ["x"], "t", settings, registry=load_registry(None, autoload=False), progress=False)
    return result, (x, y, t)


def _rescaled(scaling, lam, mu):
    return dataclasses.replace(scaling, x_scale=scaling.x_scale * lam, y_min=scaling.y_min * mu,
                               y_range=scaling.y_range * mu)


def _predict(expr, x):
    return np.broadcast_to(sympy.lambdify(sympy.Symbol("x"), expr)(x), x.shape)


@pytest.mark.parametrize("lam,mu", SCALINGS)
def test_the_network_read_out_keeps_its_structure_in_any_units(trained, lam, mu):
    result, _ = trained
    d = result.data
    base = read_out(result.model, 0, d.scaling, d.param_values, d.t.numpy())
    other = read_out(result.model, 0, _rescaled(d.scaling, lam, mu), d.param_values, d.t.numpy())
    assert other.skeleton == base.skeleton
    x = np.linspace(-2, 2, 41)
    for e, f in zip(base.expressions, other.expressions):   # the same law, in the other units
        np.testing.assert_allclose(_predict(f, lam * x) / mu, _predict(e, x), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("lam,mu", SCALINGS)
def test_the_refined_law_keeps_its_structure_in_any_units(trained, lam, mu):
    result, (x, y, t) = trained
    d = result.data
    steps = [s for s in FULL_CHAIN if s != "closed_form"]
    xs, ys = group_rows(x, y, t, d.param_values)
    base, _ = apply_chain(read_out(result.model, 0, d.scaling, d.param_values, d.t.numpy()), steps, xs, ys, ["x"])
    xs2, ys2 = group_rows(lam * x, mu * y, t, d.param_values)
    r2 = read_out(result.model, 0, _rescaled(d.scaling, lam, mu), d.param_values, d.t.numpy())
    other, _ = apply_chain(r2, steps, xs2, ys2, ["x"])
    assert other.skeleton == base.skeleton
    grid = np.linspace(-2, 2, 41)
    for e, f in zip(base.expressions, other.expressions):
        np.testing.assert_allclose(_predict(f, lam * grid) / mu, _predict(e, grid), rtol=1e-5, atol=1e-5)


def test_a_law_without_coefficient_slots_is_read_at_every_parameter_value():
    """A skeleton whose every slot was dropped (the workflow's Burgers HEQL once read ``0``) gives
    one law per parameter value, not one in all."""
    from peql.symbolic.magnitude import Scale, law_expressions, term_magnitudes

    scale = Scale({"u": 1.0}, np.linspace(1.0, 2.0, 7))
    assert len(law_expressions("0", {}, ["u"], scale, 0.01)) == 7
    terms, mags = term_magnitudes("u", {}, ["u"], scale)
    assert mags.shape == (1, 7)
