"""The ``polish`` step (peql.symbolic.tidy.polish): nonlinear least squares of every number at
every parameter value, restarted from a neighbour's solution where the local solver settled in a
poor optimum; deterministic, exact rows."""

import numpy as np

from peql.symbolic.chain import apply_chain
from peql.symbolic.magnitude import Scale
from peql.symbolic.readout import Readout, law_of

TS = np.linspace(0.0, 1.0, 12)


def test_values_started_in_a_poor_basin_are_restarted_from_their_neighbours():
    """``a*x + b*sin(c*x)`` with the truth's frequency 2 at every value, the network's frequency
    near 2 except at three values where it starts at 0.05 (a sine in its linear range, where it and
    the linear term cancel into a cubic): every frequency ends at 2."""
    rng = np.random.default_rng(0)
    xs = [rng.uniform(-2.0, 2.0, (150, 1)) for _ in TS]
    sign = np.where(TS < 0.6, 1.0, -1.0)
    ys = [(0.5 + t) * X[:, 0] + s * np.sin(2 * X[:, 0]) for X, t, s in zip(xs, TS, sign)]
    freq = 2.0 + 0.03 * np.cos(7 * TS)
    freq[[7, 8, 9]] = 0.05
    coefs = {"c0": 0.5 + TS, "c1": sign.copy(), "c2": freq}
    skeleton = "c0*x + c1*sin(c2*x)"
    scale = Scale({"x": 2.0}, np.array([np.ptp(y) for y in ys]))
    r = Readout(skeleton, TS, coefs, law_of(skeleton, coefs, ["x"], scale, 0.01), 3, scale)
    out, _ = apply_chain(r, ["refit", "polish"], xs, ys, ["x"], 0.01)
    np.testing.assert_allclose(np.abs(out.coefficients["c2"]), 2.0, rtol=1e-6)
    np.testing.assert_allclose(out.coefficients["c0"], 0.5 + TS, rtol=1e-6)
