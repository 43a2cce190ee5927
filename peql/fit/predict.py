"""Predictions of every trial on arbitrary samples, grouped by parameter value on the fly."""

from __future__ import annotations

import numpy as np
import torch

from .data import GroupedData, scale_inputs


@torch.no_grad()
def predict(model, data: GroupedData, x: np.ndarray, param: np.ndarray, grid: bool,
            normalised: bool = False, chunk: int = 64, image_rows: int = 4096) -> np.ndarray:
    """Predictions (T, N) of every trial with deterministic gates.

    Args:
        model: the trained trial-batched model.
        data: the training data (for its scaling and grid).
        x: raw inputs (N, d).   param: raw parameter values (N,).
        grid: the architecture indexes weights by training-grid value (seql): values must be on
            the grid. Otherwise parameter values may be anything (heql evaluates its MWU there).
        normalised: return predictions in the network's target units instead of raw units.
        chunk: parameter values evaluated per forward pass (bounds memory).
        image_rows: for image inputs, at most about this many samples per forward pass.
    """
    x = np.asarray(x, dtype=np.float64 if np.ndim(x) == 2 else np.float32)
    param = np.asarray(param, dtype=np.float64)
    s = data.scaling
    if grid:
        group = data.group_of(param, strict=True)
        keys = group
    else:
        values, keys = np.unique(param, return_inverse=True)
    order = np.argsort(keys, kind="stable")
    uniq, starts, counts = np.unique(keys[order], return_index=True, return_counts=True)
    T = model.n_trials
    out = np.empty((T, len(x)))
    dev, dt = data.device, data.dtype
    xs = scale_inputs(x, s)
    if x.ndim > 2:  # images go through an encoder: bound the rows of one forward pass
        chunk = max(1, min(chunk, image_rows // max(1, int(counts.max()))))
    for c0 in range(0, len(uniq), chunk):
        sel = slice(c0, c0 + chunk)
        u, st, ct = uniq[sel], starts[sel], counts[sel]
        P, B = len(u), int(ct.max())
        pos = np.minimum(np.arange(B)[None, :], ct[:, None] - 1)      # pad by repeating the last row
        rows = order[st[:, None] + pos]                                   # (P, B) sample indices
        xb = torch.as_tensor(xs[rows], dtype=dt, device=dev).expand(T, P, B, *x.shape[1:])
        if grid:
            group_t = torch.as_tensor(u, dtype=torch.long, device=dev).expand(T, P)
            t_raw = data.param_values[u]
            full = P == data.n_groups and np.array_equal(u, np.arange(data.n_groups))
            g_arg = None if full else group_t
        else:
            t_raw = values[u]
            g_arg = None
        t_net = torch.as_tensor(t_raw / s.t_scale, dtype=dt, device=dev).expand(T, P)
        pred, _ = model(xb, g_arg, t_net, None)
        pred = pred.double().cpu().numpy()                               # (T, P, B)
        if not normalised:
            y_min, y_range = target_scale(data, t_raw)
            pred = pred * y_range[None, :, None] + y_min[None, :, None]
        valid = np.arange(B)[None, :] < ct[:, None]
        out[:, rows[valid]] = pred[:, valid]
    return out


def target_scale(data: GroupedData, t_raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Target min / range at raw parameter values; per-parameter scaling interpolates between
    grid values (HEQL off the grid), global and none are constant."""
    s = data.scaling
    if s.target == "per_param":
        return (np.interp(t_raw, data.param_values, s.y_min), np.interp(t_raw, data.param_values, s.y_range))
    return np.full(len(t_raw), s.y_min[0]), np.full(len(t_raw), s.y_range[0])


def normalise_target(data: GroupedData, y: np.ndarray, param: np.ndarray) -> np.ndarray:
    """Targets in the network's units (the paper's test MSE is computed in these)."""
    y_min, y_range = target_scale(data, np.asarray(param, dtype=np.float64))
    return (np.asarray(y, dtype=np.float64) - y_min) / y_range
