"""``eql``: one EQL network per trial with the parameter fed as an extra input.

The paper's Table I reference: a single network must fit ``y(x, t)`` with ``t`` as an ordinary
input, which fails on discontinuous or nested coefficients. Initialisation as the authors'
baseline: truncated normal with std 0.5 for every layer. ``init_std`` also takes one std per layer
(output last): the earlier paper's L0.5 benchmark used 0.1 / 0.5 / 1.0.
"""

from __future__ import annotations

import torch
from torch import nn

from .base import ModelContext, SymbolicModel, take_options


def truncated_normal_(tensor: torch.Tensor, std: float, generator: torch.Generator) -> torch.Tensor:
    """N(0, std^2) truncated at two standard deviations (TensorFlow's truncated_normal)."""
    with torch.no_grad():
        return nn.init.trunc_normal_(tensor, 0.0, std, -2 * std, 2 * std, generator=generator)


class EQLNet(SymbolicModel):
    param_as_input = True
    DEFAULTS = {"init_std": 0.5}

    def __init__(self, ctx: ModelContext):
        super().__init__(ctx, n_inputs=len(ctx.input_names) + 1)
        self.options = take_options(ctx.options, self.DEFAULTS, "eql")
        T = ctx.n_trials
        self.weights = nn.ParameterList(
            [nn.Parameter(torch.zeros(T, 1, p.in_dim, p.n_pre)) for p in self.plans]
            + [nn.Parameter(torch.zeros(T, 1, self.n_last, 1))]
        )
        self.reset_parameters(torch.Generator().manual_seed(ctx.seed))

    def reset_parameters(self, generator: torch.Generator) -> None:
        std = self.options["init_std"]
        stds = list(std) if isinstance(std, (list, tuple)) else [std] * len(self.weights)
        if len(stds) != len(self.weights):
            raise ValueError(f"eql init_std lists one std per layer ({len(self.weights)} with the output), "
                             f"got {len(stds)}")
        for w, s in zip(self.weights, stds):
            truncated_normal_(w, float(s), generator)
        self.reset_gates(generator)

    def raw_weights(self, group=None, t=None):
        return list(self.weights)

    def model_inputs(self, x, t):
        T, P, B, _ = x.shape
        return torch.cat([x, t.reshape(T, P, 1, 1).expand(T, P, B, 1).to(x.dtype)], dim=-1)
