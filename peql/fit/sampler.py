"""Minibatches drawn by index on the device, and the per-step gate noise.

Every draw is a pure function of (seed, step): a resumed run sees exactly the minibatches and
noise an uninterrupted one would, with no sampler state to checkpoint. As in the original,
sample (and group) orders are reshuffled every epoch, independently for every trial.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch

from ..nn import gates as G
from .data import GroupedData

_STREAM_BATCH, _STREAM_NOISE, _STREAM_AUGMENT = 1, 2, 4  # 3: the trainer's re-initialisation


def _generator(device: torch.device, seed: int, stream: int, counter: int) -> torch.Generator:
    gen = torch.Generator(device=device)
    gen.manual_seed((seed * 1_000_003 + stream * 7_919 + counter * 104_729) % (2**63 - 1))
    return gen


@dataclass
class Draw:
    """One step's random inputs: sample indices (T, P, B), their groups (T, P) or None for
    'every group in order', the groups' scaled parameter values (T, P), gate noise, and the
    standard normals of the input augmentation (T, P, B, *augment_shape) or None."""

    idx: torch.Tensor
    group: torch.Tensor | None
    t: torch.Tensor
    noise: list[torch.Tensor]
    augment: torch.Tensor | None = None

    def select(self, trials: Sequence[int]) -> "Draw":
        """The same draw restricted to some trials (for testing trial isolation)."""
        k = torch.as_tensor(trials, dtype=torch.long, device=self.idx.device)
        return Draw(self.idx[k], None if self.group is None else self.group[k], self.t[k],
                    [u[k] for u in self.noise], None if self.augment is None else self.augment[k])


class Sampler:
    """Draws minibatches of ``groups_per_batch`` parameter values x ``samples_per_group``.

    Args:
        data: the training data.
        n_trials: independent trials (each gets its own shuffles).
        samples_per_group: samples per parameter value per step (SEQL 16, HEQL 64); ``None`` for
            every sample of the group (full batch).
        groups_per_batch: parameter values per step; ``None`` for all of them in order (SEQL).
        noise_shapes: shapes of the gate noise tensors (from the model).
        seed: the run's seed.
        augment_shape: per-sample shape of the augmentation draws (the model's
            ``augment_shape``); None for none.
    """

    def __init__(self, data: GroupedData, n_trials: int, samples_per_group: int | None,
                 groups_per_batch: int | None, noise_shapes: Sequence[tuple[int, ...]], seed: int,
                 augment_shape: Sequence[int] | None = None):
        self.data, self.T, self.seed = data, n_trials, seed
        self.noise_shapes = list(noise_shapes)
        self.augment_shape = None if augment_shape is None else tuple(int(a) for a in augment_shape)
        n_min, n_mean = int(data.counts.min()), int(data.counts.float().mean())
        if data.equal_groups:
            self.B = n_min if samples_per_group is None else min(int(samples_per_group), n_min)
        else:  # ragged groups are sampled with replacement
            self.B = int(samples_per_group) if samples_per_group else int(data.counts.max())
        self.all_groups = groups_per_batch is None
        self.P = data.n_groups if self.all_groups else min(int(groups_per_batch), data.n_groups)
        self.group_blocks = max(1, data.n_groups // self.P)
        self.sample_blocks = max(1, (n_min if data.equal_groups else n_mean) // self.B)
        self.steps_per_epoch = self.group_blocks * self.sample_blocks
        self._epoch, self._perm, self._gperm = None, None, None

    def _shuffles(self, epoch: int):
        if self._epoch != epoch:
            d = self.data
            gen = _generator(d.device, self.seed, _STREAM_BATCH, epoch)
            if d.equal_groups:
                n = int(d.counts[0])
                self._perm = torch.argsort(torch.rand(self.T, d.n_groups, n, generator=gen, device=d.device), dim=-1)
            self._gperm = (None if self.all_groups else
                           torch.argsort(torch.rand(self.T, d.n_groups, generator=gen, device=d.device), dim=-1))
            self._epoch = epoch
        return self._perm, self._gperm

    def draw(self, step: int) -> Draw:
        d, T, P, B = self.data, self.T, self.P, self.B
        epoch, k = divmod(step, self.steps_per_epoch)
        perm, gperm = self._shuffles(epoch)
        gb, sb = k % self.group_blocks, k // self.group_blocks
        trial = torch.arange(T, device=d.device).view(T, 1)
        if self.all_groups:
            groups = torch.arange(d.n_groups, device=d.device).expand(T, -1)
        else:
            groups = gperm[:, gb * P:(gb + 1) * P]
        if d.equal_groups:
            block = perm[:, :, sb * B:(sb + 1) * B]
            within = block if self.all_groups else block[trial, groups]
        else:
            gen = _generator(d.device, self.seed, _STREAM_BATCH, -1 - step)
            u = torch.rand(T, P, B, generator=gen, device=d.device)
            within = (u * d.counts[groups].unsqueeze(-1)).long()
        idx = d.offsets[groups].unsqueeze(-1) + within
        return Draw(idx, None if self.all_groups else groups, d.t[groups], self.noise(step),
                    self.augmentation(step, idx))

    def augmentation(self, step: int, idx: torch.Tensor) -> torch.Tensor | None:
        """Standard normals ``(*idx.shape, *augment_shape)`` for this step's input augmentation."""
        if self.augment_shape is None:
            return None
        gen = _generator(self.data.device, self.seed, _STREAM_AUGMENT, step)
        return torch.randn(*idx.shape, *self.augment_shape, generator=gen, device=self.data.device,
                           dtype=self.data.dtype)

    def noise(self, step: int) -> list[torch.Tensor]:
        if not self.noise_shapes:
            return []
        gen = _generator(self.data.device, self.seed, _STREAM_NOISE, step)
        return [G.sample_noise(s, gen, device=self.data.device, dtype=self.data.dtype) for s in self.noise_shapes]
