"""Numerical differentiation methods registered through ``register_derivatives``.

A method is a :class:`Derivative`: ``method(u, order, spacing, axis=-1, periodic=False)`` returns
the ``order``-th derivative of ``u`` along ``axis`` on a uniform grid of step ``spacing``.
Order 0 is the method's estimate of ``u`` itself: the data for exact methods, the local
polynomial fit for ``savgol`` (so noisy features are smoothed consistently with their derivatives).

Built-ins:

* ``spectral``: Fourier differentiation; exact to round-off for smooth periodic data, useless on
  noisy data (it amplifies noise by k^order) and refused on non-periodic axes.
* ``fd2``, ``fd4``: central finite differences of accuracy order 2 and 4; on a non-periodic axis
  the edge points use one-sided stencils of the same accuracy.
* ``savgol``: Savitzky-Golay local polynomial fits (options ``window``, ``polyorder`` and
  ``cross_window``, smoothing along the other axes of a field first), the noise-robust choice;
  ``wrap`` mode on periodic axes, polynomial extension at edges otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np


@dataclass(frozen=True)
class Derivative:
    """A differentiation method.

    Attributes:
        name: lower-case identifier (``--method NAME``).
        description: one line, shown by ``peql list``.
        fn: ``fn(u, order, spacing, axis, periodic, **options) -> ndarray``.
        needs_periodic: the method only works on periodic axes.
        options: the keyword options ``fn`` accepts, with defaults.
    """

    name: str
    description: str
    fn: Callable[..., np.ndarray] = field(repr=False)
    needs_periodic: bool = False
    options: dict[str, Any] = field(default_factory=dict)

    def __call__(self, u: np.ndarray, order: int, spacing: float, axis: int = -1,
                 periodic: bool = False, **options: Any) -> np.ndarray:
        """The ``order``-th derivative of ``u`` along ``axis`` (grid step ``spacing``)."""
        unknown = sorted(set(options) - set(self.options))
        if unknown:
            raise ValueError(f"derivative method {self.name!r} has no option {unknown[0]!r}; "
                             f"options: {sorted(self.options) or 'none'}")
        if isinstance(order, bool) or int(order) != order or order < 0:
            raise ValueError(f"derivative order must be a non-negative integer, got {order!r}")
        if not (np.isfinite(spacing) and spacing > 0):
            raise ValueError(f"grid spacing must be positive, got {spacing!r}")
        if self.needs_periodic and not periodic:
            raise ValueError(f"derivative method {self.name!r} needs a periodic axis; use fd4 or "
                             "savgol on non-periodic data (such as time)")
        u = np.asarray(u, dtype=np.float64)
        return self.fn(u, int(order), float(spacing), axis, bool(periodic),
                       **{**self.options, **options})


def spectral_derivative(u: np.ndarray, order: int, spacing: float, axis: int = -1,
                        periodic: bool = True) -> np.ndarray:
    """Fourier derivative ``irfft((i k)^order rfft(u))`` of periodic data."""
    if order == 0:
        return u.copy()
    n = u.shape[axis]
    k = 2 * np.pi * np.fft.rfftfreq(n, d=spacing)
    factor = (1j * k) ** order
    if order % 2 and n % 2 == 0:
        factor[-1] = 0  # the Nyquist mode's odd derivative is not real: drop it
    shape = [1] * u.ndim
    shape[axis] = len(k)
    return np.fft.irfft(np.fft.rfft(u, axis=axis) * factor.reshape(shape), n=n, axis=axis)


def fd_weights(offsets: np.ndarray, order: int) -> np.ndarray:
    """Finite-difference weights of the ``order``-th derivative on integer ``offsets`` (step 1).

    Solves the moment conditions sum_j w_j s_j^m / m! = [m == order] for m < len(offsets).
    """
    s = np.asarray(offsets, dtype=np.float64)
    m = np.arange(len(s))
    factorial = np.cumprod(np.concatenate([[1.0], np.arange(1, len(s), dtype=np.float64)]))
    moments = s[None, :] ** m[:, None] / factorial[:, None]
    rhs = (m == order).astype(np.float64)
    return np.linalg.solve(moments, rhs)


def fd_derivative(u: np.ndarray, order: int, spacing: float, axis: int = -1,
                  periodic: bool = False, accuracy: int = 2) -> np.ndarray:
    """Central finite differences of the given (even) accuracy order.

    On a non-periodic axis the first and last few points use one-sided stencils of
    ``order + accuracy`` points, which keeps the accuracy order there too.
    """
    if order == 0:
        return u.copy()
    if accuracy < 2 or accuracy % 2:
        raise ValueError(f"finite-difference accuracy must be an even integer >= 2, got {accuracy}")
    width = 2 * ((order + 1) // 2) - 1 + accuracy
    r = width // 2
    offsets = np.arange(-r, r + 1)
    w = fd_weights(offsets, order) / spacing**order
    x = np.moveaxis(u, axis, 0)
    n = x.shape[0]
    if periodic:
        out = sum(wj * np.roll(x, -s, axis=0) for wj, s in zip(w, offsets))
        return np.moveaxis(out, 0, axis)
    n_one = order + accuracy
    if n < max(width, n_one):
        raise ValueError(f"{n} grid points are too few for a derivative of order {order} with "
                         f"accuracy {accuracy} (need {max(width, n_one)})")
    out = np.empty_like(x)
    out[r:n - r] = sum(wj * x[r + s:n - r + s] for wj, s in zip(w, offsets))
    for e in range(r):  # edge points: one-sided stencils, one small solve each
        left = np.arange(n_one) - e
        out[e] = np.tensordot(fd_weights(left, order) / spacing**order, x[:n_one], axes=1)
        right = np.arange(n_one) - (n_one - 1 - e)
        out[n - 1 - e] = np.tensordot(fd_weights(right, order) / spacing**order, x[n - n_one:],
                                      axes=1)
    return np.moveaxis(out, 0, axis)


def savgol_derivative(u: np.ndarray, order: int, spacing: float, axis: int = -1,
                      periodic: bool = False, window: int = 31, polyorder: int = 5,
                      cross_window: int = 21) -> np.ndarray:
    """Savitzky-Golay derivative: a least-squares polynomial of degree ``polyorder`` over a
    centred ``window`` of points, differentiated ``order`` times.

    On a field of two or more dimensions the data are first smoothed (order 0, same degree) along
    every other axis over ``cross_window`` points, i.e. a tensor-product local polynomial: on the
    Burgers field with 1 % noise this lowers the u_x error about 2x further (0 turns it off; axes
    shorter than the window are left alone).
    """
    from scipy.signal import savgol_filter  # lazy: scipy.signal takes ~0.7 s to import

    if polyorder < order:
        raise ValueError(f"savgol polyorder {polyorder} is below the derivative order {order}")
    for name, w in (("window", window), ("cross_window", cross_window)):
        if w and (w % 2 == 0 or w <= polyorder):
            raise ValueError(f"savgol {name} must be odd and larger than polyorder, got {w}")
    ax = axis % u.ndim
    if u.shape[ax] < window:
        raise ValueError(f"savgol window {window} is longer than the axis ({u.shape[ax]} points)")
    if cross_window:
        for other in range(u.ndim):
            if other != ax and u.shape[other] >= cross_window:
                u = savgol_filter(u, cross_window, polyorder, axis=other, mode="interp")
    return savgol_filter(u, window, polyorder, deriv=order, delta=spacing, axis=ax,
                         mode="wrap" if periodic else "interp")


BUILTIN_DERIVATIVES = [
    Derivative("spectral", "Fourier (FFT) differentiation, periodic axes only; exact on smooth data",
               spectral_derivative, needs_periodic=True),
    Derivative("fd2", "central finite differences, accuracy order 2 (one-sided at edges)",
               lambda u, k, h, axis, periodic: fd_derivative(u, k, h, axis, periodic, 2)),
    Derivative("fd4", "central finite differences, accuracy order 4 (one-sided at edges)",
               lambda u, k, h, axis, periodic: fd_derivative(u, k, h, axis, periodic, 4)),
    Derivative("savgol", "Savitzky-Golay local polynomial fits (window, polyorder, cross_window): noisy data",
               savgol_derivative, options={"window": 31, "polyorder": 5, "cross_window": 21}),
]
