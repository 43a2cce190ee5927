"""Training data on the device, grouped by parameter value, with the original's normalisation.

Samples are sorted by parameter value; each distinct value is a *group* (SEQL's weight slot).
Inputs are divided by max |x| per feature (images, inputs of more than one axis per sample, are
left as they are, as the original left its spring images); the parameter by max |t| (the MWU and eql input);
the target is min-max normalised per group (the original), globally, or not at all. Everything
needed to undo the scaling at read-out is kept in :class:`Scaling`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Sequence

import numpy as np
import torch

TARGET_NORMALISATIONS = ("per_param", "global", "none")


@dataclass
class Scaling:
    """How raw values map to the network's units.

    ``x_net = x / x_scale``, ``t_net = t / t_scale``, ``y_net = (y - y_min[g]) / y_range[g]``
    (one entry per group for ``per_param``, the same value repeated otherwise).
    """

    x_scale: np.ndarray
    t_scale: float
    y_min: np.ndarray
    y_range: np.ndarray
    target: str

    def to_dict(self) -> dict:
        return {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: dict) -> "Scaling":
        return cls(np.asarray(d["x_scale"]), float(d["t_scale"]), np.asarray(d["y_min"]),
                   np.asarray(d["y_range"]), d["target"])


def scale_inputs(x: np.ndarray, scaling: Scaling) -> np.ndarray:
    """Raw inputs in network units: ``x / x_scale`` per feature (per image slot for images)."""
    return x / scaling.x_scale.reshape(-1, *[1] * (x.ndim - 2)).astype(x.dtype)


def _safe_scale(values: np.ndarray) -> np.ndarray:
    return np.where(values > 0, values, 1.0)


class GroupedData:
    """Training samples grouped by distinct parameter value, resident on ``device``.

    Attributes:
        x: (N, d) scaled inputs, or (N, slots, *image) images, sorted by group.
        y: (N,) normalised targets.
        offsets, counts: (G,) start and size of each group in ``x``/``y``.
        param_values: (G,) raw distinct parameter values (sorted).
        t: (G,) scaled parameter values.             scaling: :class:`Scaling`.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, param: np.ndarray, input_names: Sequence[str],
                 param_name: str = "t", target: str = "per_param", device="cpu",
                 dtype=torch.float32, scaling: Scaling | None = None):
        x = np.asarray(x, dtype=np.float64 if np.ndim(x) == 2 else np.float32)
        y = np.asarray(y, dtype=np.float64).reshape(-1)
        param = np.asarray(param, dtype=np.float64).reshape(-1)
        if x.ndim < 2 or x.shape[1] != len(input_names):
            raise ValueError(f"inputs must be (samples, {len(input_names)}) for {list(input_names)} "
                             f"(or (samples, {len(input_names)}, *image) images), got {x.shape}")
        if not (len(x) == len(y) == len(param)):
            raise ValueError(f"inputs, target and param lengths differ: {len(x)}, {len(y)}, {len(param)}")
        if target not in TARGET_NORMALISATIONS:
            raise ValueError(f"target normalisation must be one of {TARGET_NORMALISATIONS}, got {target!r}")
        order = np.argsort(param, kind="stable")
        x, y, param = x[order], y[order], param[order]
        values, starts, counts = np.unique(param, return_index=True, return_counts=True)
        group = np.repeat(np.arange(len(values)), counts)
        if scaling is None:
            scaling = self._fit_scaling(x, y, param, values, group, target)
        self.scaling = scaling
        self.input_names, self.param_name = list(input_names), param_name
        self.param_values = values
        self.device, self.dtype = torch.device(device), dtype
        as_t = lambda a, dt=dtype: torch.as_tensor(a, dtype=dt, device=self.device)
        self.x = as_t(scale_inputs(x, scaling))
        self.y = as_t((y - scaling.y_min[group]) / scaling.y_range[group])
        self.offsets = as_t(starts, torch.long)
        self.counts = as_t(counts, torch.long)
        self.t = as_t(values / scaling.t_scale)
        self.n_groups = len(values)
        self.equal_groups = bool(np.all(counts == counts[0]))

    @staticmethod
    def _fit_scaling(x, y, param, values, group, target) -> Scaling:
        x_scale = _safe_scale(np.max(np.abs(x), axis=0)) if x.ndim == 2 else np.ones(x.shape[1])
        t_scale = float(_safe_scale(np.array([np.max(np.abs(values))]))[0])
        G = len(values)
        if target == "per_param":
            y_min = np.full(G, np.inf)
            y_max = np.full(G, -np.inf)
            np.minimum.at(y_min, group, y)
            np.maximum.at(y_max, group, y)
            y_range = _safe_scale(y_max - y_min)
        elif target == "global":
            y_min = np.full(G, y.min())
            y_range = np.full(G, _safe_scale(np.array([y.max() - y.min()]))[0])
        else:
            y_min, y_range = np.zeros(G), np.ones(G)
        return Scaling(x_scale, t_scale, y_min, y_range, target)

    #: A captured CUDA graph may replay the training step (the batch shapes never change).
    graph_safe = True

    def set_step(self, step: int, settings) -> None:
        """Called by the training loop before every step; tables have no curriculum."""

    def batch(self, idx: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Model input and target of the samples at ``idx``."""
        return self.x[idx], self.y[idx]

    def group_of(self, param: np.ndarray, strict: bool = True) -> np.ndarray:
        """Group index of each raw parameter value; ``strict`` refuses values off the grid."""
        param = np.asarray(param, dtype=np.float64)
        idx = np.clip(np.searchsorted(self.param_values, param), 0, self.n_groups - 1)
        left = np.clip(idx - 1, 0, self.n_groups - 1)
        closer_left = np.abs(self.param_values[left] - param) < np.abs(self.param_values[idx] - param)
        idx = np.where(closer_left, left, idx)
        if strict:
            tol = 1e-9 * max(1.0, float(np.max(np.abs(self.param_values))))
            off = np.abs(self.param_values[idx] - param) > tol
            if off.any():
                raise ValueError(
                    f"{int(off.sum())} sample(s) have {self.param_name} values not on the training grid "
                    f"(e.g. {param[off][0]:g}); a grid architecture (seql) predicts only at trained values"
                )
        return idx
