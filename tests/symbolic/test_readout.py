"""Hand-set networks must read out to exactly the expected expressions."""

import math

import numpy as np
import sympy
import torch

from peql.fit.data import Scaling
from peql.nn.base import ModelContext
from peql.nn.spec import NetworkSpec
from peql.symbolic.readout import read_out

OPEN, SHUT = 10.0, -10.0  # log(alpha): deterministic gate exactly 1 / exactly 0


def build(registry, units, inputs, hidden_layers=1, groups=2, skip=True, arch="seql"):
    prims = {n: registry.get("primitives", n) for n in registry.names("primitives")}
    spec = NetworkSpec.from_dict({"units": units, "hidden_layers": hidden_layers, "skip": skip})
    ctx = ModelContext(n_trials=1, input_names=inputs, n_groups=groups, spec=spec, primitives=prims)
    model = registry.get("architectures", arch).build(ctx)
    with torch.no_grad():
        for w in model.weights:
            w.zero_()
        for la in model.log_alpha:
            la.fill_(OPEN)
    return model


def unit_scaling(d, groups=2, x_scale=None, y_min=None, y_range=None):
    return Scaling(np.asarray(x_scale or [1.0] * d), 1.0, np.asarray(y_min or [0.0] * groups),
                   np.asarray(y_range or [1.0] * groups), "per_param")


def same(a, b, tol=1e-6):  # weights are float32
    """Numerically equal at random points (floats for pi are fine)."""
    a, b = sympy.sympify(a), sympy.sympify(b)
    syms = sorted(a.free_symbols | b.free_symbols, key=str)
    pts = np.random.default_rng(0).uniform(-2, 2, size=(len(syms), 25))
    fa, fb = (sympy.lambdify(syms, e, "numpy") for e in (a, b))
    return np.allclose(np.broadcast_to(fa(*pts), 25), np.broadcast_to(fb(*pts), 25), rtol=tol, atol=tol)


def test_product_unit_reads_out_with_its_scale(registry):
    units = ["constant:1", "identity:1", {"name": "product", "count": 1, "params": {"scale": 10.0}}]
    m = build(registry, units, ["x", "y"])
    W, out = m.weights
    with torch.no_grad():
        W[0, :, 0, 2] = 0.5     # x -> first product column
        W[0, :, 1, 3] = 0.2     # y -> second product column
        out[0, 0, 2, 0], out[0, 1, 2, 0] = 3.0, -1.0   # per-parameter output weights
    r = read_out(m, 0, unit_scaling(2), np.array([-1.0, 1.0]), np.array([-1.0, 1.0]))
    assert r.skeleton == "c0*x*y"
    assert same(r.expressions[0], "3*x*y") and same(r.expressions[1], "-x*y")
    np.testing.assert_allclose(r.coefficients["c0"], [3.0, -1.0])


def test_skip_path_and_constant(registry):
    units = ["constant:1", "identity:2"]
    m = build(registry, units, ["x"], hidden_layers=2)
    W1, W2, out = m.weights
    # layer 2 input is [f1 (3 outputs), x]; its identity unit 1 reads x through the skip path
    with torch.no_grad():
        W2[0, :, 3, 1] = 2.0
        out[0, :, 1, 0] = 1.5
        out[0, :, 0, 0] = 0.7    # layer 2's constant unit
    r = read_out(m, 0, unit_scaling(1), np.array([0.0, 1.0]), np.array([0.0, 1.0]))
    assert same(r.expressions[0], "3*x + 0.7")
    assert r.skeleton in ("c0 + c1*x", "c1*x + c0")


def test_sin_frequency_and_gates(registry):
    units = ["identity:1", {"name": "sin", "count": 1, "params": {"frequency": 4 * math.pi}}]
    m = build(registry, units, ["x"])
    W, out = m.weights
    with torch.no_grad():
        W[0, 0, 0, 1], W[0, 1, 0, 1] = 0.25, 0.5    # sin(pi x) and sin(2 pi x)
        out[0, :, 1, 0] = 2.0
        W[0, :, 0, 0] = 1.0
        out[0, :, 0, 0] = 5.0
        m.log_alpha[1][0, 0, 0] = SHUT  # the identity unit's output weight is gated off
    r = read_out(m, 0, unit_scaling(1), np.array([0.0, 1.0]), np.array([0.0, 1.0]))
    assert same(r.expressions[0], 2 * sympy.sin(sympy.pi * sympy.Symbol("x")))
    assert same(r.expressions[1], 2 * sympy.sin(2 * sympy.pi * sympy.Symbol("x")))
    assert r.skeleton == "c0*sin(c1*x)"
    np.testing.assert_allclose(r.coefficients["c1"], [math.pi, 2 * math.pi])


def test_scaling_is_undone(registry):
    m = build(registry, ["constant:1", "identity:1"], ["x"])
    W, out = m.weights
    with torch.no_grad():
        W[0, :, 0, 1] = 1.0
        out[0, :, 1, 0] = 1.0    # network: y_net = x_net
    # x_net = x / 3;  y = y_range * y_net + y_min
    s = unit_scaling(1, x_scale=[3.0], y_min=[1.0, -2.0], y_range=[6.0, 3.0])
    r = read_out(m, 0, s, np.array([0.0, 1.0]), np.array([0.0, 1.0]))
    assert same(r.expressions[0], "2*x + 1") and same(r.expressions[1], "x - 2")


def test_threshold_drops_small_terms(registry):
    m = build(registry, ["constant:1", "identity:1", "square:1"], ["x"])
    W, out = m.weights
    with torch.no_grad():
        W[0, :, 0, 1] = 1.0
        W[0, :, 0, 2] = 1.0
        out[0, :, 1, 0] = 2.0
        out[0, 0, 2, 0], out[0, 1, 2, 0] = 0.005, 0.5   # x**2 negligible at the first value only
        out[0, :, 0, 0] = 0.004                          # an offset that is negligible everywhere
    r = read_out(m, 0, unit_scaling(1), np.array([0.0, 1.0]), np.array([0.0, 1.0]))
    assert same(r.expressions[0], "2*x") and same(r.expressions[1], "0.5*x**2 + 2*x")
    assert sympy.sympify(r.skeleton).free_symbols == {sympy.Symbol(s) for s in ("c0", "c1", "x")}


def test_heql_and_eql_read_out(registry):
    # eql: the parameter is an input; its expression per value substitutes it
    m = build(registry, [{"name": "product", "count": 1}], ["x"], arch="eql", groups=1)
    W, out = m.weights
    with torch.no_grad():
        W[0, 0, 0, 0], W[0, 0, 1, 1] = 1.0, 1.0    # product(x, t)
        out[0, 0, 0, 0] = 2.0
    r = read_out(m, 0, unit_scaling(1, groups=3), np.array([-1.0, 0.5, 2.0]), np.array([-1.0, 0.5, 2.0]))
    assert same(r.expressions[0], "-2*x") and same(r.expressions[2], "4*x")
    assert r.skeleton == "c0*t*x"


def test_reading_128_values_is_fast(registry):
    import time

    units = ["constant:2", "identity:4", "square:4", "sin:2", "product:2"]
    m = build(registry, units, ["x"], hidden_layers=2, groups=128)
    rng = np.random.default_rng(0)
    W1, W2, out = m.weights
    with torch.no_grad():
        W2[0, :, 14, 4] = torch.as_tensor(rng.normal(size=128), dtype=torch.float32)   # square(x)
        W2[0, :, 14, 10] = torch.as_tensor(rng.normal(size=128), dtype=torch.float32)  # sin(x)
        W2[0, :, 14, 12] = 1.0                                                          # product(x, ...)
        W2[0, :, 14, 13] = torch.as_tensor(rng.normal(size=128), dtype=torch.float32)
        out[0, :, 4, 0], out[0, :, 8, 0], out[0, :, 12, 0] = 1.0, 1.0, 1.0
    t0 = time.perf_counter()
    r = read_out(m, 0, unit_scaling(1, groups=128), np.linspace(-3, 3, 128), np.linspace(-1, 1, 128))
    assert time.perf_counter() - t0 < 5.0
    assert len(r.expressions) == 128
