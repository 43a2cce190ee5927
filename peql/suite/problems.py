"""The generalisation suite's problems: parametric laws ``y = f(x; c(t))`` that are not from the
papers, frozen before anyone tunes peql on them.

Two kinds:

* ``ode``: one state equation of a chaotic flow from dysts (``catalogue.json``, exported by
  ``tools/export_dysts.py``) whose right-hand side depends on the swept parameter. Inputs are the
  states, the target is the state's time derivative, ``t`` is the swept parameter's value (16
  values over a range checked for bounded, oscillating trajectories). Two variants per equation:
  ``exact`` (derivatives from the right-hand side) and ``noisy`` (1 % Gaussian noise on every state,
  the derivative estimated from the noisy series by :func:`estimate_derivative`).
* ``table``: a generated law written as one SymPy string in its inputs and ``t`` (see ``TABLE``).

Every problem names its parameter ``t``, carries its truth as a SymPy expression in the inputs and
``t`` (:meth:`ProblemData.truth_at` substitutes a value), and splits its rows 60/20/20 into
train/val/test within every parameter value (at random when values never repeat).
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from collections.abc import Callable

import numpy as np
import sympy

T = sympy.Symbol("t")
CATEGORIES = ("ode-exact", "ode-noisy", "poly", "products", "exp", "sine-inner", "reaction", "discontinuous",
              "scattered", "multi-input", "noisy-target")

# ODE sampling. States are integrated at POINTS_PER_PERIOD, fine enough that the second difference
# of a series is dominated by the noise, which is what the noise estimate of estimate_derivative
# assumes; then every STRIDE-th sample is kept, away from the series' ends where a spline's
# derivative is least accurate. 3 trajectories x 91 rows = 273 rows per parameter value.
ODE_SYSTEMS = ("Lorenz", "Rossler", "Duffing", "Thomas", "YuWang", "HenonHeiles", "Arneodo", "NuclearQuadrupole")
N_ODE_VALUES, N_IC = 16, 3
TRANSIENT_PERIODS, KEEP_PERIODS, POINTS_PER_PERIOD, STRIDE, EDGE = 6, 6, 200, 12, 60
STATE_NOISE = 0.01
SPLIT = (0.6, 0.2)  # train, val; the rest is test


@dataclass
class ProblemData:
    """One problem's rows.

    Attributes:
        X: (n, d) inputs.  y: (n,) target.  t: (n,) parameter value of every row.
        input_names: names of the columns of X, as used in the expressions.
        param_name: always ``"t"``.
        truth: the true law, a SymPy expression in the input names and ``t``.
        train, val, test: (n,) boolean masks; within every parameter value (or, for scattered
            values, at random) 60/20/20.
    """

    X: np.ndarray
    y: np.ndarray
    t: np.ndarray
    input_names: list[str]
    param_name: str
    truth: sympy.Expr
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray

    def truth_at(self, t_value: float) -> sympy.Expr:
        """The true law at one parameter value, a SymPy expression in the input names."""
        return sympy.expand(self.truth.subs(T, float(t_value)))

    @property
    def scattered(self) -> bool:
        """Whether parameter values (almost) never repeat: then they are judged in bins."""
        return len(np.unique(self.t)) > len(self.t) // 2

    def groups(self, n_bins: int = 20) -> list[tuple[float, np.ndarray]]:
        """(parameter value, row mask) per distinct value; for scattered values, ``n_bins``
        equal-count bins of t, each represented by its median."""
        if not self.scattered:
            return [(float(v), self.t == v) for v in np.unique(self.t)]
        edges = np.quantile(self.t, np.linspace(0.0, 1.0, n_bins + 1))
        which = np.clip(np.searchsorted(edges, self.t, side="right") - 1, 0, n_bins - 1)
        return [(float(np.median(self.t[which == b])), which == b) for b in range(n_bins)]


@dataclass
class Problem:
    """A suite problem: ``generate(seed)`` builds its :class:`ProblemData`."""

    name: str
    category: str
    kind: str
    generate: Callable[[int], ProblemData]
    description: str
    law: str


def _splits(t: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Train/val/test masks, 60/20/20 within every parameter value (all rows when t never repeats)."""
    n = len(t)
    code = np.zeros(n, dtype=int)
    blocks = [np.arange(n)] if len(np.unique(t)) > n // 2 else [np.flatnonzero(t == v) for v in np.unique(t)]
    for rows in blocks:
        rows = rng.permutation(rows)
        a, b = int(round(SPLIT[0] * len(rows))), int(round((SPLIT[0] + SPLIT[1]) * len(rows)))
        code[rows[a:b]], code[rows[b:]] = 1, 2
    return code == 0, code == 1, code == 2


# -- ODE problems ---------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def catalogue() -> dict[str, dict]:
    """The exported dysts systems by name (``catalogue.json``)."""
    doc = json.loads(Path(__file__).with_name("catalogue.json").read_text())
    return {s["name"]: s for s in doc["systems"]}


def system_rhs(name: str) -> list[sympy.Expr]:
    """Right-hand side per state with the swept parameter as ``t`` and the others at their defaults."""
    s = catalogue()[name]
    local = {n: sympy.Symbol(n) for n in s["states"]}
    local.update({f"p_{p}": sympy.Symbol(f"p_{p}") for p in s["parameters"]})
    values = {sympy.Symbol(f"p_{p}"): (T if p == s["swept"] else v) for p, v in s["parameters"].items()}
    return [sympy.parse_expr(s["rhs"][n], local_dict=local).subs(values) for n in s["states"]]


def _initial_conditions(s: dict, m: int, rng: np.random.Generator) -> np.ndarray:
    """(d, m) starts: every component of the default scaled by a factor in [0.94, 1] (shrinking
    keeps a Hamiltonian system such as HenonHeiles below its escape energy), phases uniform."""
    ic = np.asarray(s["ic"], float)[:, None] * (1.0 - 0.06 * rng.uniform(size=(len(s["ic"]), m)))
    for ph in s["phase_states"]:
        ic[s["states"].index(ph)] = rng.uniform(0.0, 2 * np.pi, m)
    return ic


@lru_cache(maxsize=4)
def simulate(name: str, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Trajectories of one system: (times (k,), states (m, k, d), parameter value (m,)), with
    m = 16 values x 3 initial conditions, the transient dropped and phase states wrapped to
    [0, 2 pi). All m trajectories are one vectorised DOP853 solve (at rtol 1e-6 the states are
    accurate far below the 1 % noise level); cached, so the two variants share it. Do not mutate."""
    from scipy.integrate import solve_ivp

    s = catalogue()[name]
    d = len(s["states"])
    values = np.repeat(np.linspace(*s["sweep_range"], N_ODE_VALUES), N_IC)
    m = len(values)
    rng = np.random.default_rng([seed, zlib.crc32(name.encode())])
    f = sympy.lambdify(sympy.symbols(s["states"]) + [T], system_rhs(name), modules="numpy")

    def rhs(_, flat):
        return np.concatenate([np.broadcast_to(v, (m,)) for v in f(*flat.reshape(d, m), values)])

    period = s["period"]
    times = np.linspace(TRANSIENT_PERIODS * period, (TRANSIENT_PERIODS + KEEP_PERIODS) * period,
                        KEEP_PERIODS * POINTS_PER_PERIOD)
    sol = solve_ivp(rhs, (0.0, times[-1]), _initial_conditions(s, m, rng).ravel(), t_eval=times,
                    method="DOP853", rtol=1e-6, atol=1e-9)
    if sol.status != 0 or not np.all(np.isfinite(sol.y)):
        raise RuntimeError(f"{name}: integration failed ({sol.message})")
    states = sol.y.reshape(d, m, -1).transpose(1, 2, 0)
    for ph in s["phase_states"]:
        i = s["states"].index(ph)
        states[:, :, i] = np.mod(states[:, :, i], 2 * np.pi)
    return times, states, values


def estimate_derivative(t: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Time derivative of one noisy, finely and uniformly sampled series.

    A smoothing cubic spline (scipy's ``splrep``, the method of the ``derivative`` package's
    ``Spline``) with smoothing ``s = n sigma^2``, the expected residual sum of squares of pure noise.
    sigma is estimated robustly from second differences, ``1.4826 MAD(diff(x, 2)) / sqrt(6)``
    (noise contributes variance 6 sigma^2 to a second difference; the signal's curvature adds
    little at 200 samples per period). Why this one: on Lorenz at 1 % noise it had the smallest
    derivative error of the methods compared (1.6 % against 2.1 % for Savitzky-Golay and far
    worse for Kalman without a tuned alpha; notes research-22, section 2.4), and it chooses its own
    smoothing from the data.
    """
    from scipy.interpolate import splev, splrep

    d2 = np.diff(x, 2)
    sigma = 1.4826 * np.median(np.abs(d2 - np.median(d2))) / np.sqrt(6.0)
    return splev(t, splrep(t, x, k=3, s=len(x) * sigma ** 2), der=1)


def _noisy(times, states, target: int, phases: list[int], rng) -> tuple[np.ndarray, np.ndarray]:
    """Noisy states (1 % of each trajectory's per-state std) and the estimated derivative of the
    target state, per trajectory, at full resolution."""
    scale = STATE_NOISE * states.std(axis=1, keepdims=True)
    noisy = states + scale * rng.standard_normal(states.shape)
    deriv = np.stack([estimate_derivative(times, traj[:, target]) for traj in noisy])
    noisy[:, :, phases] = np.mod(noisy[:, :, phases], 2 * np.pi)
    return noisy, deriv


def ode_data(name: str, state: str, noisy: bool, seed: int) -> ProblemData:
    """One state equation of one catalogue system as a problem (rows: every trajectory's samples
    ``EDGE, EDGE + STRIDE, ...``)."""
    s = catalogue()[name]
    j = s["states"].index(state)
    truth = system_rhs(name)[j]
    times, states, values = simulate(name, seed)
    rng = np.random.default_rng([seed, zlib.crc32(f"{name}/{state}".encode())])
    keep = np.arange(EDGE, len(times) - EDGE + 1, STRIDE)
    if noisy:
        phases = [s["states"].index(p) for p in s["phase_states"]]
        full, deriv = _noisy(times, states, j, phases, rng)
        X, y = full[:, keep].reshape(-1, len(s["states"])), deriv[:, keep].ravel()
    else:
        X = states[:, keep].reshape(-1, len(s["states"]))
        t_rows = np.repeat(values, len(keep))
        fn = sympy.lambdify(sympy.symbols(s["states"]) + [T], truth, modules="numpy")
        y = np.broadcast_to(fn(*X.T, t_rows), (len(X),)).astype(float)
    t = np.repeat(values, len(keep))
    return ProblemData(np.ascontiguousarray(X, dtype=float), np.asarray(y, float), t, list(s["states"]), "t",
                       truth, *_splits(t, rng))


def _ode_problems() -> list[Problem]:
    out = []
    for name in ODE_SYSTEMS:
        s = catalogue()[name]
        for state in s["equations_with_swept"]:
            law = str(system_rhs(name)[s["states"].index(state)])
            lo, hi = s["sweep_range"]
            for variant in ("exact", "noisy"):
                def gen(seed: int = 0, _n=name, _s=state, _v=variant) -> ProblemData:
                    return ode_data(_n, _s, _v == "noisy", seed)
                what = "exact derivatives" if variant == "exact" else "spline derivatives of 1 %-noisy states"
                out.append(Problem(f"{name.lower()}_d{state}_{variant}", f"ode-{variant}", "ode", gen,
                                   f"{name} d{state}/dt, {s['swept']} = t in [{lo:g}, {hi:g}], {what}", law))
    return out


# -- table problems -------------------------------------------------------------------------------

@dataclass(frozen=True)
class TableLaw:
    """A generated law: ``law`` in the input names and ``t``; inputs uniform on their ranges;
    ``n_values`` parameter values on ``t_range`` with ``rows`` rows each, or, when ``scattered``,
    ``n_values * rows`` rows with t uniform; Gaussian target noise at ``noise`` x std(y)."""

    category: str
    law: str
    inputs: tuple[tuple[str, float, float], ...]
    t_range: tuple[float, float] = (0.0, 1.0)
    n_values: int = 20
    rows: int = 200
    noise: float = 0.0
    scattered: bool = False


X1 = (("x", -1.0, 2.0),)
TABLE = {
    "poly_quadratic": TableLaw("poly", "(1 + t)*x**2 - (2 - t)*x + 0.5 + t**2", X1),
    "poly_cubic": TableLaw("poly", "(0.5 + t**2)*x**3 - (2 + sin(2*t))*x + 1", (("x", -2.0, 1.5),)),
    "poly_two_inputs": TableLaw("poly", "exp(-t)*x**2 - (1 + t)*y**3 + 0.8*x",
                                (("x", 0.5, 2.0), ("y", -1.0, 1.2))),
    "product_two": TableLaw("products", "(1 + 0.5*t)*x*y + (2 - t)*z",
                            (("x", -1.0, 2.0), ("y", 0.0, 2.0), ("z", -1.0, 1.0))),
    "product_three": TableLaw("products", "(0.5 + t)*x*y*z - 0.8*x + exp(-t)*y",
                              (("x", 0.5, 2.0), ("y", -1.5, 1.0), ("z", 0.0, 2.0))),
    "exp_decay": TableLaw("exp", "(2 + t)*exp(-(0.5 + t)*x) + 0.5*x", (("x", 0.0, 3.0),)),
    "exp_product": TableLaw("exp", "(1 + t)*y*exp(-(1 + 0.5*sin(3*t))*x) - 0.5*x",
                            (("x", 0.0, 2.0), ("y", 0.5, 2.0))),
    "sine_frequency": TableLaw("sine-inner", "sin((1 + t)*x) + (0.5 + 0.5*t)*x", (("x", 0.0, 4.0),)),
    "sine_phase": TableLaw("sine-inner", "(1.5 - 0.5*t)*sin(x + 2*t) + 0.5*y", (("x", -2.0, 2.0), ("y", 0.0, 1.0))),
    "reaction_logistic": TableLaw("reaction", "(1 + 2*t)*(u - u**2) - 0.3*v", (("u", 0.0, 1.0), ("v", 0.0, 1.0))),
    "reaction_allee": TableLaw("reaction", "(2 + sin(3*t))*u*(u - (0.2 + 0.2*t))*(1 - u)", (("u", 0.0, 1.0),)),
    "jump_quadratic": TableLaw("discontinuous", "Piecewise((1, t < 0.45), (2.5, True))*x**2 + (1 - 0.5*t)*y - 0.5",
                               (("x", -1.0, 2.0), ("y", 0.0, 2.0))),
    "jump_sine": TableLaw("discontinuous", "Piecewise((1, t < 0.6), (-1, True))*sin(2*x) + (0.5 + t)*x",
                          (("x", -2.0, 2.5),)),
    "scattered_poly": TableLaw("scattered", "(1 + t**2)*x**2 - (1 + sin(2*t))*x*y + 0.5*y",
                               (("x", -1.0, 2.0), ("y", 0.0, 2.0)), (0.0, 1.5), 15, 200, scattered=True),
    "scattered_exp": TableLaw("scattered", "(1 + t)*exp(-(0.5 + t)*x) - 0.5*y",
                              (("x", 0.0, 3.0), ("y", -1.0, 1.0)), (0.0, 1.0), 15, 200, scattered=True),
    "multi_three": TableLaw("multi-input", "(1 + t)*x - (0.5 + t**2)*y*z + 0.5*z**2",
                            (("x", -1.0, 1.0), ("y", 0.0, 2.0), ("z", -1.0, 2.0))),
    "multi_four": TableLaw("multi-input", "(1 + 0.5*t)*x*y - exp(-t)*z + (0.5 + 0.5*t)*w**2 + 0.3*x",
                           (("x", -1.0, 2.0), ("y", 0.0, 1.5), ("z", -2.0, 1.0), ("w", -1.0, 1.5)), rows=250),
    "noisy1_poly": TableLaw("noisy-target", "(1 + t)*x**2 - (2 - t)*x*y + 0.5*y",
                            (("x", -1.0, 2.0), ("y", 0.0, 2.0)), noise=0.01),
    "noisy5_poly": TableLaw("noisy-target", "(1 + t)*x**2 - (2 - t)*x*y + 0.5*y",
                            (("x", -1.0, 2.0), ("y", 0.0, 2.0)), noise=0.05),
    "noisy5_sine": TableLaw("noisy-target", "(1 + t)*sin(2*x) + (1 - 0.5*t)*y",
                            (("x", -1.0, 2.5), ("y", -1.0, 1.0)), noise=0.05),
}


def table_data(spec: TableLaw, seed: int, key: str = "") -> ProblemData:
    """Rows of one generated law."""
    rng = np.random.default_rng([seed, zlib.crc32(key.encode())])
    names = [n for n, *_ in spec.inputs]
    symbols = {n: sympy.Symbol(n) for n in names} | {"t": T}
    truth = sympy.parse_expr(spec.law, local_dict=symbols)
    n = spec.n_values * spec.rows
    if spec.scattered:
        t = rng.uniform(*spec.t_range, n)
    else:
        t = np.repeat(np.linspace(*spec.t_range, spec.n_values), spec.rows)
    X = np.column_stack([rng.uniform(lo, hi, n) for _, lo, hi in spec.inputs])
    fn = sympy.lambdify([symbols[k] for k in names] + [T], truth, modules="numpy")
    y = np.broadcast_to(np.asarray(fn(*X.T, t), float), (n,)).copy()
    if spec.noise:
        y += spec.noise * y.std() * rng.standard_normal(n)
    return ProblemData(X, y, t, names, "t", truth, *_splits(t, rng))


def _table_problems() -> list[Problem]:
    out = []
    for name, spec in TABLE.items():
        def gen(seed: int = 0, _spec=spec, _name=name) -> ProblemData:
            return table_data(_spec, seed, _name)
        grid = (f"{spec.n_values * spec.rows} rows, t uniform on {list(spec.t_range)}" if spec.scattered
                else f"{spec.n_values} values of t on {list(spec.t_range)} x {spec.rows} rows")
        noise = f", {spec.noise:.0%} target noise" if spec.noise else ""
        out.append(Problem(name, spec.category, "table", gen, f"y = {spec.law}; {grid}{noise}", spec.law))
    return out


PROBLEMS: dict[str, Problem] = {p.name: p for p in _ode_problems() + _table_problems()}

#: A third of the problems, kept out of any tuning of peql. Drawn ONCE, before any tuning, as
#: ``random.Random(2026).sample(sorted(PROBLEMS), k=len(PROBLEMS) // 3)`` and frozen here as a
#: literal (drawn on 2026-12-02 over the 44 problems below, before any peql run on them), so that
#: adding, renaming or reordering problems can never silently change it (the tests check the
#: literal against that draw).
HELD_OUT: frozenset[str] = frozenset([
    "arneodo_dz_exact", "henonheiles_dw_exact", "henonheiles_dw_noisy", "multi_four", "multi_three",
    "nuclearquadrupole_dw_exact", "nuclearquadrupole_dw_noisy", "product_three", "reaction_allee",
    "rossler_dz_noisy", "scattered_exp", "sine_phase", "thomas_dx_noisy", "thomas_dz_noisy",
])
