"""Training data for recurrent models: an encoder series and a trajectory to propagate per
sample, on the device, with the curriculum on how many steps are predicted.

Every sample carries its own hidden parameter, which the model never sees (it must infer it
from the encoder series), so the data form a single group for the sampler. The encoder series
are divided by their max |value| per state variable (kinematics reaches thousands, and the
latent's scale is free anyway); the propagated states are left in their own units, so the cell's
update equations read out directly in ``u, v``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from .data import Scaling, _safe_scale

#: The name of the encoder's latent in the cell's equations.
LATENT = "z"


def horizon_at(schedule: Sequence[Sequence[int]] | None, step: int, longest: int) -> int:
    """Predicted steps at training ``step`` under ``schedule`` (``[[from_step, length], ...]``,
    the original's curriculum); ``None`` predicts every step of the trajectory."""
    if not schedule:
        return longest
    length = None
    for start, n in sorted((int(a), int(b)) for a, b in schedule):
        if step >= start:
            length = n
    if length is None:
        raise ValueError(f"horizon schedule {list(schedule)} does not cover step {step}; start it at step 0")
    if not 1 <= length <= longest:
        raise ValueError(f"horizon {length} outside 1..{longest} (the trajectory's propagated steps)")
    return length


class SequenceData:
    """Encoder series and propagated trajectories resident on ``device``.

    Attributes:
        x: (N, states, steps_in) scaled encoder series.
        y: (N, steps_out + 1, states) propagated trajectories (step 0 is the initial state).
        horizon: how many steps the next batch predicts (set by the training loop).
        param_values: (N,) the hidden parameter, for read-out only (never shown to the model).
    """

    graph_safe = False  # the curriculum changes the unrolled length, so no captured CUDA graph

    def __init__(self, encoder_series: np.ndarray, series: np.ndarray, param: np.ndarray,
                 state_names: Sequence[str], param_name: str, device="cpu", dtype=torch.float32,
                 scaling: Scaling | None = None):
        enc = np.asarray(encoder_series, dtype=np.float64)
        traj = np.asarray(series, dtype=np.float64)
        if enc.ndim != 3 or traj.ndim != 3 or enc.shape[-1] != len(state_names) or traj.shape[-1] != len(state_names):
            raise ValueError(f"encoder series and trajectories must be (samples, steps, {len(state_names)}) for "
                             f"states {list(state_names)}, got {enc.shape} and {traj.shape}")
        if not len(enc) == len(traj) == len(param):
            raise ValueError(f"encoder series, trajectories and param lengths differ: {len(enc)}, {len(traj)}, "
                             f"{len(param)}")
        if traj.shape[1] < 2:
            raise ValueError("trajectories need an initial state and at least one step to predict")
        if scaling is None:
            scaling = Scaling(_safe_scale(np.max(np.abs(enc), axis=(0, 1))), 1.0, np.zeros(1), np.ones(1), "none")
        self.scaling = scaling
        self.input_names, self.param_name = list(state_names), param_name
        self.device, self.dtype = torch.device(device), dtype
        as_t = lambda a, dt=dtype: torch.as_tensor(a, dtype=dt, device=self.device)
        self.x = as_t(np.swapaxes(enc / scaling.x_scale, 1, 2))
        self.y = as_t(traj)
        self.param_values = np.asarray(param, dtype=np.float64)
        n = len(enc)
        self.offsets, self.counts = as_t([0], torch.long), as_t([n], torch.long)
        self.t = as_t([0.0])
        self.n_groups, self.equal_groups = 1, True
        self.longest = traj.shape[1] - 1
        self.horizon = self.longest

    def set_step(self, step: int, settings) -> None:
        """The curriculum: predict ``settings.horizon``'s number of steps at training ``step``
        (a bad schedule fails at step 0, before training)."""
        self.horizon = horizon_at(settings.horizon, step, self.longest)

    def batch(self, idx: torch.Tensor):
        """Model input ``(series, initial state, horizon)`` and target ``(..., horizon, states)``."""
        traj = self.y[idx]
        return (self.x[idx], traj[..., 0, :], self.horizon), traj[..., 1:self.horizon + 1, :]
