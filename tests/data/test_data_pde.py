"""The simulated PDE fields satisfy their equations, and derive writes the canonical layout."""

from __future__ import annotations

import json

import numpy as np
import pytest

from peql.data import BUILTIN_DERIVATIVES, BUILTIN_SYSTEMS, derive_features, split_arrays
from peql.data.systems.ks import ks_coefficients, solve_ks

SYSTEMS = {s.name: s for s in BUILTIN_SYSTEMS}
METHODS = {m.name: m for m in BUILTIN_DERIVATIVES}


def rel(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


def spectral(u, k, x):
    return METHODS["spectral"](u, k, x[1] - x[0], axis=1, periodic=True)


def fd4_time(u, t):
    return METHODS["fd4"](u, 1, t[1] - t[0], axis=0, periodic=False)


@pytest.fixture(scope="module")
def fields():
    return {name: SYSTEMS[name].simulate() for name in ("advection_diffusion", "burgers")}


def test_advection_diffusion_satisfies_its_pde(fields):
    ds = fields["advection_diffusion"]
    u, x, t = ds["u"].values, ds["space"].values, ds["time"].values
    assert u.shape == (512, 256) and np.isclose(x[0], -5) and np.isclose(x[1] - x[0], 10 / 256)
    assert np.isclose(t[-1], 5.0)
    np.testing.assert_allclose(u[0], np.cos(2 * np.pi * x / 5), atol=1e-12)
    f = -1.5 + np.cos(2 * np.pi * x / 5)
    df = -(2 * np.pi / 5) * np.sin(2 * np.pi * x / 5)
    rhs = df * u + f * spectral(u, 1, x) + 0.1 * spectral(u, 2, x)
    assert rel(fd4_time(u, t), rhs) < 1e-3
    coef = ds["true_coef"].sel(term=["a", "b", "c"]).values
    np.testing.assert_allclose(coef, np.stack([df, f, np.full_like(x, 0.1)], axis=1))
    assert ds.attrs["true_equation"] == "a(x)*u + b(x)*u_x + c(x)*u_xx"


def test_burgers_satisfies_its_pde(fields):
    ds = fields["burgers"]
    u, x, t = ds["u"].values, ds["space"].values, ds["time"].values
    assert u.shape == (256, 512) and np.isclose(x[0], -8) and np.isclose(t[-1], 10.0)
    np.testing.assert_allclose(u[0], np.exp(-((x + 1) ** 2)), atol=1e-12)
    a = -(1 + np.sin(t) / 4)
    rhs = a[:, None] * u * spectral(u, 1, x) + 0.1 * spectral(u, 2, x)
    assert rel(fd4_time(u, t), rhs) < 1e-3
    np.testing.assert_allclose(ds["true_coef"].sel(term="a").values, a)
    assert ds.attrs["param_coord"] == "time" and ds.attrs["true_equation"] == "a(t)*u*u_x + b(t)*u_xx"


def test_burgers_residual_on_a_finer_time_grid():
    ds = SYSTEMS["burgers"].simulate(n_time=1024, t_end=5.0)
    u, x, t = ds["u"].values, ds["space"].values, ds["time"].values
    rhs = -(1 + np.sin(t) / 4)[:, None] * u * spectral(u, 1, x) + 0.1 * spectral(u, 2, x)
    assert rel(fd4_time(u, t), rhs) < 1e-5


def test_kuramoto_sivashinsky_satisfies_its_pde():
    n = 256
    x = -10 + 20 * np.arange(n) / n
    t = np.linspace(0, 30, 3001)
    u = solve_ks(x, np.exp(-(x**2)), t, max_step=0.02)
    co = ks_coefficients(x)
    rhs = co["a"] * u * spectral(u, 1, x) + co["b"] * spectral(u, 2, x) + co["c"] * spectral(u, 4, x)
    after = t > 2  # the first instants hold hyper-diffusive transients too fast for any dt
    assert rel(fd4_time(u, t)[after], rhs[after]) < 1e-3
    assert np.abs(u).max() > 1  # the instability grew the field


def test_kuramoto_sivashinsky_layout():
    ds = SYSTEMS["kuramoto_sivashinsky"].simulate(n_time=256, keep=128, t_end=50.0)
    assert ds["u"].shape == (128, 256)
    np.testing.assert_allclose(ds["time"].values, np.linspace(0, 50, 256)[-128:])
    assert ds.attrs["derivative_orders"] == [1, 2, 4]
    with pytest.raises(ValueError, match="keep=600"):
        SYSTEMS["kuramoto_sivashinsky"].simulate(n_time=256, keep=600)


def test_field_noise_is_a_fraction_of_the_field_std():
    sys = SYSTEMS["advection_diffusion"]
    clean, noisy = sys.simulate(n_time=64), sys.simulate(n_time=64, noise=0.01, seed=7)
    ratio = np.std(noisy["u"].values - clean["u"].values) / np.std(clean["u"].values)
    assert 0.0095 < ratio < 0.0105


@pytest.mark.parametrize("name,param,groups,per_group",
                         [("advection_diffusion", "x", 256, 512), ("burgers", "t", 256, 512)])
def test_derive_layout_grouping_and_truth(fields, name, param, groups, per_group):
    field = fields[name]
    ds = derive_features(field, METHODS["spectral"], time_method=METHODS["fd4"])
    assert list(map(str, ds["feature"].values)) == ["u", "u_x", "u_xx"]
    assert ds.attrs["param_name"] == param and ds.attrs["target_name"] == "u_t"
    assert ds.attrs["score_split"] == "all" and ds.sizes["sample"] == groups * per_group
    p = ds["param"].values
    assert np.all(np.diff(p) >= 0) and len(np.unique(p)) == groups  # grouped along the param
    labels = ds["split"].values.reshape(groups, per_group)
    assert np.all((labels == "val").sum(axis=1) == round(0.1 * per_group))
    x, y, prm = split_arrays(ds, "all")
    values, idx = ds["param_value"].values, np.searchsorted(ds["param_value"].values, prm)
    c = {str(t): ds["true_coef"].values[idx, i] for i, t in enumerate(ds["term"].values)}
    u, u_x, u_xx = x.T
    pred = (c["a"] * u + c["b"] * u_x + c["c"] * u_xx if name == "advection_diffusion"
            else c["a"] * u * u_x + c["b"] * u_xx)
    assert rel(pred, y) < 1e-3
    assert np.array_equal(values, field[field.attrs["param_coord"]].values)
    settings = json.loads(ds.attrs["settings"])
    assert settings["derive"]["method"] == "spectral" and settings["derive"]["time_method"] == "fd4"


def test_derive_cross_terms_rewrite_the_truth(fields):
    ds = derive_features(fields["burgers"], METHODS["fd4"], time_method=METHODS["fd4"],
                         cross_terms=True)
    names = list(map(str, ds["feature"].values))
    assert names == ["u", "u_x", "u_xx", "u_u_x", "u_u_xx"]
    assert ds.attrs["true_equation"] == "a(t)*u_u_x + b(t)*u_xx"
    x = ds["inputs"].values
    np.testing.assert_allclose(x[:, 3], x[:, 0] * x[:, 1])
    ad = derive_features(fields["advection_diffusion"], METHODS["spectral"],
                         time_method=METHODS["fd4"], cross_terms=True, orders=[1, 2, 3])
    assert "u_xxx" in ad["feature"].values and ad.attrs["true_equation"] == "a(x)*u + b(x)*u_x + c(x)*u_xx"


def test_derive_refuses_what_it_cannot_do(fields):
    with pytest.raises(ValueError, match="uses \\['u_xx'\\]"):
        derive_features(fields["burgers"], METHODS["fd4"], time_method=METHODS["fd4"], orders=[1])
    with pytest.raises(ValueError, match="spectral.*periodic"):
        derive_features(fields["burgers"], METHODS["fd4"], time_method=METHODS["spectral"])
    tab = SYSTEMS["f3_linear"].simulate(n_t=4, n_train=4, n_val=4, n_test=4)
    with pytest.raises(ValueError, match="needs a field dataset"):
        derive_features(tab, METHODS["fd4"], time_method=METHODS["fd4"])


@pytest.mark.parametrize("name,cross,columns", [("advection_diffusion", False, ["u", "u_x", "u_xx"]),
                                                ("burgers", True, ["u_u_x", "u_xx"])])
def test_per_group_least_squares_recovers_true_coef(fields, name, cross, columns):
    """The derived features and target carry the truth: a per-group fit on the true terms finds
    ``true_coef`` (the check SGTR-style baselines rely on)."""
    ds = derive_features(fields[name], METHODS["spectral"], time_method=METHODS["fd4"],
                         cross_terms=cross)
    names = list(map(str, ds["feature"].values))
    x, y, p = split_arrays(ds, "all")
    groups = len(np.unique(p))
    a = x[:, [names.index(c) for c in columns]].reshape(groups, -1, len(columns))
    b = y.reshape(groups, -1, 1)
    coef = np.linalg.solve(a.transpose(0, 2, 1) @ a, a.transpose(0, 2, 1) @ b)[..., 0]
    truth = ds["true_coef"].sel(term=["a", "b", "c"][: len(columns)]).values
    assert np.sqrt(np.mean((coef - truth) ** 2)) < 1e-3 * np.sqrt(np.mean(truth**2)) + 1e-4
