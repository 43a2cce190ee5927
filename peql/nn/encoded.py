"""An encoder in front of a head: images -> per-slot latents -> any architecture (seql, heql,
mlp, eql), trained end to end as one trial-batched network.

The head sees the latents as its inputs (named ``z1, z2, ...``), so its equation is read out in
latent space exactly as any other model's; the latent task (:mod:`peql.tasks.latent`) maps it back to true values.
"""

from __future__ import annotations

from typing import Sequence

import torch

from .base import TrialModule
from .encoders import augment_size


def latent_names(n_slots: int) -> list[str]:
    """The head's input names for ``n_slots`` encoded images."""
    return [f"z{i + 1}" for i in range(n_slots)]


class EncodedModel(TrialModule):
    """``head(encoder(images))``.

    Args:
        encoder: a trial-batched encoder (``(T, *batch, *image) -> (T, *batch)``).
        head: a trial-batched architecture built for ``len(slots)`` inputs.
    """

    def __init__(self, encoder: torch.nn.Module, head: TrialModule):
        super().__init__()
        self.encoder, self.head = encoder, head
        self.n_trials = head.n_trials
        self.symbolic = head.symbolic

    # The head's freeze masks are the model's (Trainer and select_trials read ``model.masks``).
    @property
    def masks(self):
        return self.head.masks if hasattr(self.head, "masks") else None

    @masks.setter
    def masks(self, value):
        self.head.masks = value

    def reset_parameters(self, generator: torch.Generator) -> None:
        self.encoder.reset_parameters(generator)
        self.head.reset_parameters(generator)

    def select_trials(self, index: Sequence[int] | torch.Tensor) -> "EncodedModel":
        clone = super().select_trials(index)
        clone.encoder.n_trials = clone.head.n_trials = clone.n_trials
        return clone

    def latents(self, images: torch.Tensor) -> torch.Tensor:
        """Latents ``(T, *batch, slots)`` of images ``(T, *batch, slots, *image)``."""
        return self.encoder(images)

    def augment_shape(self, sample_shape):
        size = augment_size(self.encoder)
        return (int(sample_shape[0]), size) if size else None

    def augment(self, x, draws):
        return self.encoder.augment(x, draws)

    def forward(self, x, group=None, t=None, noise=None):
        return self.head(self.encoder(x), group, t, noise)

    def gate_noise_shapes(self):
        return self.head.gate_noise_shapes()

    def freeze_small_weights(self, threshold: float) -> int:
        return self.head.freeze_small_weights(threshold)
