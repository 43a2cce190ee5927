"""``heql``: the hyper EQL. A meta-weight unit (MWU) per layer, a ReLU MLP 1-64-64-256-(in*out),
maps the (normalised) parameter to that layer's weights, so the network evaluates at any
parameter value, including values never trained on. Gates are t-independent and shared.

As the paper says, the output layer has an MWU too; ``output_mwu: false`` is the original code's
single t-independent output weight (U[0,1) initialised). MWU weights are N(0, 0.15^2) and biases
N(0, 0.03^2) as in the code.

Speed: the first three layers of every MWU are fused into one batched matmul chain over
(trial x layer); only the last, layer-specific projection runs per layer. The MWU is evaluated
only at the parameter values of the minibatch.
"""

from __future__ import annotations

import torch
from torch import nn

from .base import ModelContext, SymbolicModel, take_options


class HEQLNet(SymbolicModel):
    DEFAULTS = {
        "mwu_widths": [64, 64, 256],
        "weight_std": 0.15,
        "bias_std": 0.03,
        "output_mwu": True,
    }

    def __init__(self, ctx: ModelContext):
        super().__init__(ctx, n_inputs=len(ctx.input_names))
        self.options = take_options(ctx.options, self.DEFAULTS, "heql")
        T = ctx.n_trials
        widths = [1, *self.options["mwu_widths"]]
        self.out_sizes = [(p.in_dim, p.n_pre) for p in self.plans]
        if self.options["output_mwu"]:
            self.out_sizes.append((self.n_last, 1))
        else:
            self.output_weight = nn.Parameter(torch.zeros(T, 1, self.n_last, 1))
        M = len(self.out_sizes)
        self.n_mwu = M
        # Shared-shape trunk: parameters (T, M, in, out) for each of the first layers.
        self.trunk_w = nn.ParameterList(
            [nn.Parameter(torch.zeros(T, M, a, b)) for a, b in zip(widths[:-1], widths[1:])]
        )
        self.trunk_b = nn.ParameterList([nn.Parameter(torch.zeros(T, M, 1, b)) for b in widths[1:]])
        self.head_w = nn.ParameterList(
            [nn.Parameter(torch.zeros(T, widths[-1], i * o)) for i, o in self.out_sizes]
        )
        self.head_b = nn.ParameterList([nn.Parameter(torch.zeros(T, 1, i * o)) for i, o in self.out_sizes])
        self.reset_parameters(torch.Generator().manual_seed(ctx.seed))

    def reset_parameters(self, generator: torch.Generator) -> None:
        ws, bs = self.options["weight_std"], self.options["bias_std"]
        with torch.no_grad():
            for p in [*self.trunk_w, *self.head_w]:
                p.copy_(ws * torch.randn(p.shape, generator=generator))
            for p in [*self.trunk_b, *self.head_b]:
                p.copy_(bs * torch.randn(p.shape, generator=generator))
            if not self.options["output_mwu"]:
                self.output_weight.copy_(torch.rand(self.output_weight.shape, generator=generator))
        self.reset_gates(generator)

    def raw_weights(self, group=None, t=None):
        if t is None:
            raise ValueError("heql needs the parameter values t (T, P)")
        T, P = t.shape
        h = t.reshape(T, 1, P, 1).to(self.trunk_w[0].dtype)
        for w, b in zip(self.trunk_w, self.trunk_b):
            # the first layer reads the one parameter: an outer product, as a broadcast rather
            # than a batched GEMM with inner dimension 1
            pre = torch.addcmul(b, h, w) if w.shape[-2] == 1 else torch.matmul(h, w) + b
            h = torch.relu(pre)                                 # (T, M, P, width)
        weights = []
        for m, (i, o) in enumerate(self.out_sizes):
            flat = torch.baddbmm(self.head_b[m], h[:, m], self.head_w[m])   # (T, P, i*o)
            weights.append(flat.view(T, P, i, o))
        if not self.options["output_mwu"]:
            weights.append(self.output_weight)
        return weights
