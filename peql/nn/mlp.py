"""``mlp``: the ReLU baseline. Takes the inputs and the parameter, fits well inside the training
range and, having no symbolic structure, extrapolates poorly; it has no equation to read out.
Glorot-uniform weights and zero biases (the Keras defaults of the authors' baselines)."""

from __future__ import annotations

import math

import torch
from torch import nn

from .base import ModelContext, TrialModule, take_options


class MLPNet(TrialModule):
    DEFAULTS = {"hidden": [128, 128, 128]}
    symbolic = False

    def __init__(self, ctx: ModelContext):
        super().__init__()
        self.options = take_options(ctx.options, self.DEFAULTS, "mlp")
        self.n_trials = T = ctx.n_trials
        sizes = [len(ctx.input_names) + 1, *self.options["hidden"], 1]
        self.weights = nn.ParameterList([nn.Parameter(torch.zeros(T, 1, a, b)) for a, b in zip(sizes[:-1], sizes[1:])])
        self.biases = nn.ParameterList([nn.Parameter(torch.zeros(T, 1, 1, b)) for b in sizes[1:]])
        self.reset_parameters(torch.Generator().manual_seed(ctx.seed))

    def reset_parameters(self, generator: torch.Generator) -> None:
        with torch.no_grad():
            for w in self.weights:
                limit = math.sqrt(6.0 / (w.shape[-2] + w.shape[-1]))
                w.copy_((2 * torch.rand(w.shape, generator=generator) - 1) * limit)
            for b in self.biases:
                b.zero_()

    def forward(self, x, group=None, t=None, noise=None):
        T, P, B, _ = x.shape
        h = torch.cat([x, t.reshape(T, P, 1, 1).expand(T, P, B, 1).to(x.dtype)], dim=-1)
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            h = torch.matmul(h, w) + b
            if i < last:
                h = torch.relu(h)
        return h.squeeze(-1), torch.zeros(T, device=x.device, dtype=x.dtype)

    def gate_noise_shapes(self):
        return []
