"""The Kuramoto-Sivashinsky equation with coefficients varying in x (Rudy et al. 2019):

    u_t = a(x) u u_x + b(x) u_xx + c(x) u_xxxx,
    a = 1 + sin(2 pi x / 10)/4,  b = -1 + exp(-(x - 2)^2 / 5)/4,  c = -1 - exp(-(x + 2)^2 / 5)/4,

on x in [-10, 10) periodic (256 points), u(0, x) = exp(-x^2), integrated to t = 200 and sampled
at 1024 equally spaced times of which the last 512 are kept (dt = 200/1023).

The fourth-order term makes the system very stiff (|c| k^4 reaches 3e6 on this grid), so it is
integrated with ETDRK4 (Cox & Matthews 2002) in Fourier space, its phi-functions evaluated by
the contour integrals of Kassam & Trefethen (2005). Because the coefficients vary in x, only a
constant-coefficient part L = -b0 k^2 + c0 k^4 is treated exactly; the rest,
a u u_x + (b - b0) u_xx + (c - c0) u_xxxx, is evaluated pseudo-spectrally like the nonlinear
term. Taking c0 = min c (the most dissipative value) leaves a remainder that is small against L at
every wavenumber, which keeps the explicit part stable.
"""

from __future__ import annotations

import numpy as np

from ..fields import field_dataset, wavenumbers
from .base import Run, System


def ks_coefficients(x: np.ndarray) -> dict[str, np.ndarray]:
    """a(x), b(x), c(x) of the benchmark."""
    return {"a": 1 + np.sin(2 * np.pi * x / 10) / 4,
            "b": -1 + np.exp(-((x - 2) ** 2) / 5) / 4,
            "c": -1 - np.exp(-((x + 2) ** 2) / 5) / 4}


def etdrk4_coefficients(lin: np.ndarray, h: float, n_contour: int = 64):
    """exp(hL), exp(hL/2) and the ETDRK4 weights Q, f1, f2, f3 for a diagonal operator ``lin``."""
    roots = np.exp(1j * np.pi * (np.arange(1, n_contour + 1) - 0.5) / n_contour)
    lr = h * lin[:, None] + roots[None, :]
    e_lr = np.exp(lr)
    q = h * np.real(np.mean((np.exp(lr / 2) - 1) / lr, axis=1))
    f1 = h * np.real(np.mean((-4 - lr + e_lr * (4 - 3 * lr + lr**2)) / lr**3, axis=1))
    f2 = h * np.real(np.mean((2 + lr + e_lr * (lr - 2)) / lr**3, axis=1))
    f3 = h * np.real(np.mean((-4 - 3 * lr - lr**2 + e_lr * (4 - lr)) / lr**3, axis=1))
    return np.exp(h * lin), np.exp(h * lin / 2), q, f1, f2, f3


def solve_ks(x: np.ndarray, u0: np.ndarray, times: np.ndarray, max_step: float) -> np.ndarray:
    """Integrate the varying-coefficient KS equation; return u at ``times`` (n_times, n_space).

    ``times`` must be equally spaced and start at 0; the internal step divides their spacing.
    """
    n = len(x)
    k = wavenumbers(n, n * (x[1] - x[0]))
    co = ks_coefficients(x)
    b0, c0 = float(np.mean(co["b"])), float(np.min(co["c"]))
    lin = -b0 * k**2 + c0 * k**4
    ik, k2, k4 = 1j * k, -(k**2), k**4
    db, dc = co["b"] - b0, co["c"] - c0

    def rest(vh):  # everything but L, in Fourier space
        u, u_x, u_xx, u_xxxx = np.fft.irfft(np.stack([vh, ik * vh, k2 * vh, k4 * vh]), n=n)
        return np.fft.rfft(co["a"] * u * u_x + db * u_xx + dc * u_xxxx)

    spacing = times[1] - times[0]
    sub = max(1, int(np.ceil(spacing / max_step - 1e-9)))
    e, e2, q, f1, f2, f3 = etdrk4_coefficients(lin, spacing / sub)
    out = np.empty((len(times), n))
    vh = np.fft.rfft(u0)
    out[0] = u0
    for i in range(1, len(times)):
        for _ in range(sub):
            nv = rest(vh)
            a = e2 * vh + q * nv
            na = rest(a)
            b = e2 * vh + q * na
            nb = rest(b)
            c = e2 * a + q * (2 * nb - nv)
            nc = rest(c)
            vh = e * vh + nv * f1 + 2 * (na + nb) * f2 + nc * f3
        out[i] = np.fft.irfft(vh, n=n)
    if not np.isfinite(out).all():
        raise RuntimeError(f"KS integration blew up; reduce max_step (now {max_step})")
    return out


def _generate(run: Run):
    s = run.settings
    if not 0 < s["keep"] <= s["n_time"]:
        raise ValueError(f"setting keep={s['keep']} must be in 1..n_time={s['n_time']}")
    n, half = s["n_space"], s["half_length"]
    x = -half + 2 * half * np.arange(n) / n
    times = np.linspace(0.0, s["t_end"], s["n_time"])
    u = solve_ks(x, np.exp(-(x**2)), times, s["max_step"])[-s["keep"]:]
    return field_dataset(run, u, times[-s["keep"]:], x, param_coord="space",
                         terms={"a": ["u", "u_x"], "b": ["u_xx"], "c": ["u_xxxx"]},
                         coefs=ks_coefficients(x), orders=[1, 2, 4])


SYSTEM = System(
    "kuramoto_sivashinsky",
    "u_t = a(x) u u_x + b(x) u_xx + c(x) u_xxxx, ETDRK4 in Fourier space; varies in x (field)",
    "field", {"n_space": 256, "half_length": 10.0, "n_time": 1024, "t_end": 200.0, "keep": 512,
              "max_step": 0.02},
    _generate)
