"""A recurrent cell of per-state networks behind a dynamics encoder (the earlier paper's
kinematics and harmonic-oscillator experiments, eql-integration section 4.3).

An encoder reads one trajectory and returns a scalar latent ``z`` (the hidden parameter, up to an
affine map). The cell holds one network per state variable; each maps ``[state, z]`` to that
variable's next value, and the cell is unrolled from another trajectory's initial state with the
same weights at every step (the original's ReLU baseline built a new network per step, a bug the
brief asks us not to copy). With ``eql`` heads the update equations are read out in ``u, v, z``;
with ``mlp`` heads the cell is the ReLU baseline.

With ``residual`` the heads predict the change of their state, ``state_{k+1} = state_k +
head(state_k, z)``, so the identity map costs no weights and no gate noise. The harmonic
oscillator needs this: with whole-state heads the encoder never learned omega^2 (the latent
stayed uncorrelated), in the residual form it does within a few thousand steps.

Heads are built from registered architectures that take the parameter as an input (``eql``,
``mlp``): the latent is passed where they expect the parameter, one "parameter value" per sample,
so a batch of ``B`` trajectories runs as ``(T, B, 1, states)``.
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from .base import TrialModule
from .encoders import augment_size


class DynamicsModel(TrialModule):
    """``encoder(series) -> z``, then ``state_{k+1} = [head_s(state_k, z) for s in states]``.

    Args:
        encoder: a trial-batched encoder mapping ``(T, *batch, states, steps)`` to ``(T, *batch)``.
        heads: one trial-batched network per state variable, built with the state names as
            inputs and ``z`` as the parameter.
        residual: the heads predict the state's change instead of the next state.
    """

    def __init__(self, encoder: nn.Module, heads: Sequence[TrialModule], residual: bool = False):
        super().__init__()
        if not heads:
            raise ValueError("a recurrent cell needs one head per state variable, got none")
        self.encoder = encoder
        self.heads = nn.ModuleList(heads)
        self.residual = bool(residual)
        self.n_trials = heads[0].n_trials
        self.symbolic = all(h.symbolic for h in heads)
        self._noise_split = [len(h.gate_noise_shapes()) for h in heads]

    # Freeze masks: one flat list over the heads (Trainer and select_trials read ``model.masks``).
    @property
    def masks(self):
        per_head = [getattr(h, "masks", None) for h in self.heads]
        return None if all(m is None for m in per_head) else [m for ms in per_head for m in ms]

    @masks.setter
    def masks(self, value):
        if value is None:
            for h in self.heads:
                h.masks = None
            return
        value = list(value)
        for h in self.heads:
            n = len(h.weights)
            h.masks, value = value[:n], value[n:]

    def reset_parameters(self, generator: torch.Generator) -> None:
        self.encoder.reset_parameters(generator)
        for h in self.heads:
            h.reset_parameters(generator)

    def select_trials(self, index) -> "DynamicsModel":
        clone = super().select_trials(index)
        clone.encoder.n_trials = clone.n_trials
        for h in clone.heads:
            h.n_trials = clone.n_trials
        return clone

    def gate_noise_shapes(self):
        return [s for h in self.heads for s in h.gate_noise_shapes()]

    def _head_noise(self, noise):
        if not noise:
            return [None] * len(self.heads)
        out, rest = [], list(noise)
        for n in self._noise_split:
            out.append(rest[:n] or None)
            rest = rest[n:]
        return out

    def augment_shape(self, sample_shape):
        size = augment_size(self.encoder)
        return (size,) if size else None

    def augment(self, x, draws):
        series, initial, horizon = x
        return self.encoder.augment(series, draws), initial, horizon

    def latents(self, series: torch.Tensor) -> torch.Tensor:
        """Latents ``(T, *batch)`` of series ``(T, *batch, states, steps)``."""
        return self.encoder(series)

    def step(self, state: torch.Tensor, z: torch.Tensor, noise=None) -> tuple[torch.Tensor, torch.Tensor]:
        """One application of the cell: ``state (T, n, S)``, ``z (T, n)`` -> next state, penalty (T,)."""
        T, n, S = state.shape
        x = state.reshape(T, n, 1, S)
        outs, penalty = [], 0.0
        for head, head_noise in zip(self.heads, self._head_noise(noise)):
            y, pen = head(x, None, z, head_noise)
            outs.append(y.reshape(T, n))
            penalty = penalty + pen
        out = torch.stack(outs, dim=-1)  # the next state, or its change for a residual cell
        return (state + out if self.residual else out), penalty

    def rollout(self, z: torch.Tensor, initial: torch.Tensor, steps: int, noise=None):
        """States after 1..steps applications, ``(T, n, steps, S)``, and the penalty (T,)."""
        state, preds, penalty = initial, [], None
        for _ in range(steps):
            state, pen = self.step(state, z, noise)
            preds.append(state)
            penalty = pen if penalty is None else penalty
        return torch.stack(preds, dim=-2), penalty

    def forward(self, x, group=None, t=None, noise=None):
        """``x = (series (T, *batch, S, L), initial (T, *batch, S), horizon)`` -> predicted states
        ``(T, *batch, horizon, S)`` and the heads' penalty (T,)."""
        series, initial, horizon = x
        batch = initial.shape[1:-1]
        T, S = self.n_trials, initial.shape[-1]
        z = self.encoder(series).reshape(T, -1)
        pred, penalty = self.rollout(z, initial.reshape(T, -1, S), int(horizon), noise)
        return pred.reshape(T, *batch, int(horizon), S), penalty

    def freeze_small_weights(self, threshold: float) -> int:
        return sum(h.freeze_small_weights(threshold) for h in self.heads)
