"""Sequential grouped threshold ridge regression (SGTR, Rudy et al. 2019), written from the
algorithm's description (their code carries no licence).

Every group (one per parameter value) has its own regression ``b_j ~ A_j xi_j`` over the same
library columns; a column is kept or dropped for **all** groups at once, judged by the 2-norm of
its coefficients across groups. That shared support is what a per-slice sparse regression
(PySINDy's STLSQ on each slice) lacks. The threshold is chosen among 50 tolerances by an
AICc-like criterion.

Everything is batched over groups: the blocks are a zero-padded (groups, rows, columns) array
(:mod:`peql.baselines.groups`), ridge fits are one batched solve of the normal equations and the
final least-squares fits one batched pseudo-inverse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from .base import Baseline, BaselineFit
from .groups import group_by
from .library import LIBRARIES, build_library, library_matrix

LOSS_FLOOR = 1e-5  # added to RSS/N inside the log, as in Rudy et al.'s criterion


@dataclass
class SGTRResult:
    """The outcome of :func:`sgtr`.

    Attributes:
        coefficients: (groups, columns) coefficients in the original (unnormalised) units.
        tolerance: the selected tolerance (on the normalised coefficients).
        tolerances, losses: the tolerance grid and each tolerance's criterion value.
        supports: (len(tolerances), columns) the support each tolerance reached.
    """

    coefficients: np.ndarray
    tolerance: float
    tolerances: np.ndarray
    losses: np.ndarray
    supports: np.ndarray


def sgtr(A: np.ndarray, b: np.ndarray, *, ridge: float = 1e-5, n_tolerances: int = 50,
         max_passes: int = 5, n_rows: int | None = None) -> SGTRResult:
    """Group-sparse regression with a support shared across groups.

    Args:
        A: (m, n, p) library blocks, one per group (zero rows as padding are allowed).
        b: (m, n) targets.
        ridge: ridge weight of the thresholding fits (on the normalised system).
        n_tolerances: size of the tolerance grid (0 plus ``n_tolerances - 1`` log-spaced values).
        max_passes: threshold-and-refit passes per tolerance; the last refit is least squares.
        n_rows: number of real (non-padding) rows, N of the criterion (default m * n).

    Returns:
        The coefficients at the tolerance of least loss
        ``N ln(RSS/N + 1e-5) + 2k + (2k^2 + 2k)/(N - k - 1)`` (RSS on the normalised system, k
        the number of nonzero coefficients divided by m).
    """
    m, n, p = A.shape
    N = int(n_rows if n_rows is not None else m * n)
    An, bn, col_norm, b_scale = _normalised(A, b)
    ridge_fit, lstsq_fit = _solvers(An, bn, ridge)
    W0 = ridge_fit(np.ones(p, dtype=bool))
    tolerances = tolerance_grid(np.linalg.norm(W0, axis=0), n_tolerances)
    losses, supports, fits = [], [], []
    rss_of: dict[bytes, float] = {}   # neighbouring tolerances often end on the same fit
    for tol in tolerances:
        W = _threshold_passes(W0, tol, max_passes, ridge_fit, lstsq_fit)
        support = np.any(W != 0, axis=0)
        key = W.tobytes()
        if key not in rss_of:
            rss_of[key] = float(np.sum((np.einsum("mnp,mp->mn", An, W) - bn) ** 2))
        k = np.count_nonzero(W) / m
        losses.append(aicc(rss_of[key], N, k))
        supports.append(support)
        fits.append(W)
    best = int(np.argmin(losses))
    return SGTRResult(coefficients=fits[best] * b_scale[:, None] / col_norm,
                      tolerance=float(tolerances[best]), tolerances=tolerances,
                      losses=np.asarray(losses), supports=np.asarray(supports))


def _normalised(A: np.ndarray, b: np.ndarray):
    """Columns scaled by their norm over all groups, each group's target by m times its norm, so
    that the tolerance compares coefficients on one scale whatever the units; returns the scaled
    system and both scales."""
    m = A.shape[0]
    col_norm = np.sqrt(np.einsum("mnp,mnp->p", A, A))
    col_norm[col_norm == 0] = 1.0
    b_scale = m * np.linalg.norm(b, axis=1)
    b_scale[b_scale == 0] = 1.0
    return A / col_norm, b / b_scale[:, None], col_norm, b_scale


def _solvers(An: np.ndarray, bn: np.ndarray, ridge: float):
    """``ridge_fit(support)`` and ``lstsq_fit(support)``: every group's coefficients on the columns
    of a shared support (ridge for thresholding, least squares, cached, for the final refit)."""
    m, _, p = An.shape
    gram = np.einsum("mnp,mnq->mpq", An, An)
    rhs = np.einsum("mnp,mn->mp", An, bn)

    def ridge_fit(support):
        idx = np.flatnonzero(support)
        W = np.zeros((m, p))
        G = gram[:, idx[:, None], idx] + ridge * np.eye(len(idx))
        try:
            W[:, idx] = np.linalg.solve(G, rhs[:, idx, None])[..., 0]
        except np.linalg.LinAlgError:  # ridge=0 on collinear columns: minimum-norm solution
            W[:, idx] = (np.linalg.pinv(G) @ rhs[:, idx, None])[..., 0]
        return W

    lstsq_cache: dict[bytes, np.ndarray] = {}

    def lstsq_fit(support):
        key = support.tobytes()
        if key not in lstsq_cache:
            idx = np.flatnonzero(support)
            W = np.zeros((m, p))
            W[:, idx] = (np.linalg.pinv(An[:, :, idx]) @ bn[:, :, None])[..., 0]
            lstsq_cache[key] = W
        return lstsq_cache[key]

    return ridge_fit, lstsq_fit


def _threshold_passes(W0, tol, max_passes, ridge_fit, lstsq_fit) -> np.ndarray:
    """Drop rows whose norm across groups is below ``tol`` and refit, up to ``max_passes`` times;
    the final refit is plain least squares. A pass that drops nothing goes straight to the final
    least squares: further ridge passes on the same support would repeat themselves."""
    W, support = W0, np.ones(W0.shape[1], dtype=bool)
    for k in range(max_passes):
        keep = support & (np.linalg.norm(W, axis=0) >= tol)
        if not keep.any():
            return np.zeros_like(W0)
        final = k == max_passes - 1 or bool(np.all(keep == support))
        support = keep
        if final:
            return lstsq_fit(support)
        W = ridge_fit(support)
    return W  # pragma: no cover (the loop always returns)


def tolerance_grid(row_norms: np.ndarray, n_tolerances: int) -> np.ndarray:
    """0, then ``n_tolerances - 1`` values log-spaced from the smallest positive row norm upwards
    (the grid of ``n_tolerances`` values up to the largest norm, with the largest dropped)."""
    positive = row_norms[row_norms > 0]
    if n_tolerances < 2 or not len(positive):
        return np.zeros(1)
    lo, hi = np.log10(positive.min()), np.log10(positive.max())
    return np.concatenate([[0.0], np.logspace(lo, hi, n_tolerances)[:-1]])


def aicc(rss: float, n: int, k: float) -> float:
    """Rudy et al.'s AICc-like criterion ``N ln(RSS/N + 1e-5) + 2k + (2k^2 + 2k)/(N - k - 1)``."""
    correction = (2 * k * k + 2 * k) / (n - k - 1) if n - k - 1 > 0 else np.inf
    return float(n * np.log(rss / n + LOSS_FLOOR) + 2 * k + correction)


def _fit(x: np.ndarray, y: np.ndarray, param: np.ndarray, input_names: Sequence[str],
         param_name: str, settings: Mapping[str, Any]) -> BaselineFit:
    terms = build_library(input_names, settings["library"], settings["degree"])
    groups = group_by(param)
    theta = library_matrix(x, terms)
    result = sgtr(groups.stack(theta), groups.stack(y), ridge=settings["ridge"],
                  n_tolerances=settings["n_tolerances"], max_passes=settings["max_passes"],
                  n_rows=len(y))
    return BaselineFit([t.name for t in terms], groups.values, result.coefficients)


def _check(settings: dict[str, Any]) -> dict[str, Any]:
    if settings["ridge"] < 0:
        raise ValueError(f"baseline 'sgtr': setting ridge={settings['ridge']} must be >= 0")
    if settings["n_tolerances"] < 1 or settings["max_passes"] < 1:
        raise ValueError("baseline 'sgtr': settings n_tolerances and max_passes must be >= 1, got "
                         f"{settings['n_tolerances']} and {settings['max_passes']}")
    if settings["degree"] < 1:
        raise ValueError(f"baseline 'sgtr': setting degree={settings['degree']} must be >= 1")
    return settings


SGTR = Baseline(
    "sgtr", "Rudy et al.'s group-sparse threshold ridge regression, support shared across parameter values",
    {"library": "features", "degree": 3, "ridge": 1e-5, "n_tolerances": 50, "max_passes": 5},
    _fit, choices={"library": LIBRARIES}, check=_check)
