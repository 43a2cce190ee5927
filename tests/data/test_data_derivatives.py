"""Accuracy of the differentiation methods on clean and noisy data."""

from __future__ import annotations

import numpy as np
import pytest

from peql.data import BUILTIN_DERIVATIVES, BUILTIN_SYSTEMS
from peql.data.derivatives import fd_weights

METHODS = {m.name: m for m in BUILTIN_DERIVATIVES}
LIMITS = {"spectral": 1e-8, "fd4": 1e-4, "fd2": 1e-2}

N = 256
X = -10 + 20 * np.arange(N) / N
H = X[1] - X[0]
CASES = {  # name -> (u, u_x, u_xx) on a 256-point periodic grid over [-10, 10)
    "sin": (np.sin(np.pi * X / 10), np.pi / 10 * np.cos(np.pi * X / 10),
            -((np.pi / 10) ** 2) * np.sin(np.pi * X / 10)),
    "gaussian": (np.exp(-(X**2)), -2 * X * np.exp(-(X**2)), (4 * X**2 - 2) * np.exp(-(X**2))),
}


def rel(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("method,periodic", [("spectral", True), ("fd4", True), ("fd2", True),
                                             ("fd4", False), ("fd2", False)])
def test_accuracy_on_a_periodic_grid(method, case, periodic):
    """Non-periodic runs use the one-sided edge stencils (the data happen to be periodic)."""
    u, u_x, u_xx = CASES[case]
    for order, exact in ((1, u_x), (2, u_xx)):
        err = rel(METHODS[method](u, order, H, periodic=periodic), exact)
        assert err < LIMITS[method], (method, case, order, err)


def test_fd_accuracy_orders_converge():
    """Halving the step divides fd2 errors by ~4 and fd4 errors by ~16, edges included."""
    for name, expected in (("fd2", 4), ("fd4", 16)):
        errs = []
        for n in (64, 128):
            x = np.linspace(0, 1, n)
            errs.append(np.max(np.abs(METHODS[name](np.exp(x), 2, x[1] - x[0]) - np.exp(x))))
        assert 0.7 * expected < errs[0] / errs[1] < 1.5 * expected


def test_derivative_along_any_axis_and_higher_orders():
    u = np.stack([CASES["sin"][0]] * 3)
    for name in ("spectral", "fd4"):
        d1 = METHODS[name](u.T, 1, H, axis=0, periodic=True).T
        assert rel(d1[1], CASES["sin"][1]) < LIMITS[name]
    d4 = METHODS["spectral"](CASES["sin"][0], 4, H, periodic=True)
    assert rel(d4, (np.pi / 10) ** 4 * CASES["sin"][0]) < 1e-6  # round-off grows as k_max^4


def test_fd_weights_are_the_textbook_stencils():
    np.testing.assert_allclose(fd_weights([-1, 0, 1], 2), [1, -2, 1], atol=1e-12)
    np.testing.assert_allclose(fd_weights([-2, -1, 0, 1, 2], 1), [1 / 12, -2 / 3, 0, 2 / 3, -1 / 12],
                               atol=1e-12)
    np.testing.assert_allclose(fd_weights([0, 1, 2], 1), [-1.5, 2, -0.5], atol=1e-12)


def test_noise_robust_method_beats_finite_differences_tenfold():
    """Burgers' field with 1 % noise: savgol errors are >= 10x below fd2's for u_x, u_xx, u_t."""
    sys = next(s for s in BUILTIN_SYSTEMS if s.name == "burgers")
    clean, noisy = sys.simulate(), sys.simulate(noise=0.01, seed=1)
    x, t = clean["space"].values, clean["time"].values
    dx, dt = x[1] - x[0], t[1] - t[0]
    u0, u = clean["u"].values, noisy["u"].values
    for order in (1, 2):
        exact = METHODS["spectral"](u0, order, dx, axis=1, periodic=True)
        fd = rel(METHODS["fd2"](u, order, dx, axis=1, periodic=True), exact)
        sg = rel(METHODS["savgol"](u, order, dx, axis=1, periodic=True), exact)
        assert fd / sg >= 10, (order, fd, sg)
    exact_t = METHODS["fd4"](u0, 1, dt, axis=0)
    fd = rel(METHODS["fd2"](u, 1, dt, axis=0), exact_t)
    sg = rel(METHODS["savgol"](u, 1, dt, axis=0), exact_t)
    assert fd / sg >= 10, ("u_t", fd, sg)


def test_bad_calls_are_refused_by_name():
    u = CASES["sin"][0]
    with pytest.raises(ValueError, match="'spectral' needs a periodic axis"):
        METHODS["spectral"](u, 1, H, periodic=False)
    with pytest.raises(ValueError, match="no option 'width'"):
        METHODS["savgol"](u, 1, H, width=5)
    with pytest.raises(ValueError, match="polyorder 3 is below the derivative order 4"):
        METHODS["savgol"](u, 4, H, polyorder=3)
    with pytest.raises(ValueError, match="too few"):
        METHODS["fd4"](u[:5], 2, H)
    with pytest.raises(ValueError, match="order"):
        METHODS["fd2"](u, -1, H)
    assert np.array_equal(METHODS["fd4"](u, 0, H), u)
