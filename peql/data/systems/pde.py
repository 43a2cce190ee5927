"""Advection-diffusion and Burgers' equation with varying coefficients (Rudy et al. 2019, as used
by the parametric-EQL paper), solved pseudo-spectrally with an explicit Runge-Kutta integrator.

* ``advection_diffusion``: u_t = f'(x) u + f(x) u_x + 0.1 u_xx with f(x) = -1.5 + cos(2 pi x / 5)
  (the conservative form u_t = (f u)_x + 0.1 u_xx, expanded); x in [-5, 5) periodic, 256 points;
  t in [0, 5], 512 snapshots; u(0, x) = cos(2 pi x / 5). Coefficients vary in x.
* ``burgers``: u_t = -(1 + sin(t)/4) u u_x + 0.1 u_xx; x in [-8, 8) periodic, 512 points;
  t in [0, 10], 256 snapshots; u(0, x) = exp(-(x + 1)^2). Coefficients vary in t.

Space derivatives are Fourier derivatives; time is integrated by ``scipy.integrate.solve_ivp``
(RK45 by default, LSODA or DOP853 as options; never BDF, which takes minutes here). The diffusion
term makes the systems mildly stiff, so the explicit step is stability-limited and the solution is
far more accurate than the tolerances alone suggest.
"""

from __future__ import annotations

import numpy as np

from ..fields import field_dataset, wavenumbers
from .base import Run, System

INTEGRATORS = ("RK45", "DOP853", "LSODA")


def _space(n: int, lo: float, hi: float) -> np.ndarray:
    return lo + (hi - lo) * np.arange(n) / n  # periodic grid: hi excluded


def _integrate(rhs, u0: np.ndarray, time: np.ndarray, method: str, rtol: float, atol: float):
    from scipy.integrate import solve_ivp  # lazy: keeps `import peql.data` light

    sol = solve_ivp(rhs, (time[0], time[-1]), u0, method=method, t_eval=time, rtol=rtol,
                    atol=atol)
    if not sol.success:
        raise RuntimeError(f"time integration failed ({method}): {sol.message}")
    return sol.y.T.copy()


def advection_field(x: np.ndarray):
    """f(x) and f'(x) of the advection-diffusion benchmark."""
    w = 2 * np.pi / 5
    return -1.5 + np.cos(w * x), -w * np.sin(w * x)


def burgers_coefficient(t: np.ndarray) -> np.ndarray:
    """The Burgers nonlinear coefficient a(t) = -(1 + sin(t)/4)."""
    return -(1 + np.sin(t) / 4)


def _advection_diffusion(run: Run):
    s = run.settings
    x = _space(s["n_space"], -s["half_length"], s["half_length"])
    time = np.linspace(0.0, s["t_end"], s["n_time"])
    k = wavenumbers(len(x), 2 * s["half_length"])
    f, df = advection_field(x)
    eps = s["diffusion"]

    def rhs(_t, u):
        uh = np.fft.rfft(u)
        u_x, u_xx = np.fft.irfft(np.stack([1j * k * uh, -(k**2) * uh]), n=len(u))
        return df * u + f * u_x + eps * u_xx

    u = _integrate(rhs, np.cos(2 * np.pi * x / 5), time, s["integrator"], s["rtol"], s["atol"])
    return field_dataset(run, u, time, x, param_coord="space",
                         terms={"a": ["u"], "b": ["u_x"], "c": ["u_xx"]},
                         coefs={"a": df, "b": f, "c": eps}, orders=[1, 2])


def _burgers(run: Run):
    s = run.settings
    x = _space(s["n_space"], -s["half_length"], s["half_length"])
    time = np.linspace(0.0, s["t_end"], s["n_time"])
    k = wavenumbers(len(x), 2 * s["half_length"])
    nu = s["viscosity"]

    def rhs(t, u):
        uh = np.fft.rfft(u)
        u_x, u_xx = np.fft.irfft(np.stack([1j * k * uh, -(k**2) * uh]), n=len(u))
        return burgers_coefficient(t) * u * u_x + nu * u_xx

    u = _integrate(rhs, np.exp(-((x + 1) ** 2)), time, s["integrator"], s["rtol"], s["atol"])
    return field_dataset(run, u, time, x, param_coord="time",
                         terms={"a": ["u", "u_x"], "b": ["u_xx"]},
                         coefs={"a": burgers_coefficient(time), "b": nu}, orders=[1, 2])


_COMMON = {"integrator": "RK45", "rtol": 1e-10, "atol": 1e-12}

SYSTEMS = [
    System("advection_diffusion",
           "u_t = f'(x) u + f(x) u_x + 0.1 u_xx, f = -1.5 + cos(2 pi x/5); varies in x (field)",
           "field", {"n_space": 256, "half_length": 5.0, "n_time": 512, "t_end": 5.0,
                     "diffusion": 0.1, **_COMMON},
           _advection_diffusion, choices={"integrator": INTEGRATORS}),
    System("burgers", "u_t = -(1 + sin(t)/4) u u_x + 0.1 u_xx; varies in t (field)",
           "field", {"n_space": 512, "half_length": 8.0, "n_time": 256, "t_end": 10.0,
                     "viscosity": 0.1, **_COMMON},
           _burgers, choices={"integrator": INTEGRATORS}),
]
