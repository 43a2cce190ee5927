"""``seql``: the stacked EQL. One weight set per distinct parameter value of the training grid,
gates shared across them (group sparsity), and a smoothing penalty between neighbours.

Smoothing, as the paper states it, is the squared L2 difference of adjacent weight slots summed
over every layer; the original code's variant (unsquared Frobenius norm of the difference, hidden
layers 0..L-2 only) is ``smoothing_norm: "frobenius"`` with ``smoothing_layers: "code"``. The weight
of the term is ``smoothing`` (1e-3 in the code), multiplied by the regularisation schedule.
"""

from __future__ import annotations

import torch
from torch import nn

from .base import ModelContext, SymbolicModel, take_options
from .smoothing import neighbour_penalty


class SEQLNet(SymbolicModel):
    DEFAULTS = {
        "init_std": 0.1,              # hidden weights N(0, 0.1^2) as the code
        "smoothing": 1e-3,
        "smoothing_norm": "squared",  # or "frobenius" (the code)
        "smoothing_layers": "all",    # or "code": hidden layers 0..L-2 only
        "init": "independent",        # or "shared": one draw per trial, copied to every slot
    }

    def __init__(self, ctx: ModelContext):
        super().__init__(ctx, n_inputs=len(ctx.input_names))
        self.options = take_options(ctx.options, self.DEFAULTS, "seql")
        if self.options["smoothing_norm"] not in ("squared", "frobenius"):
            raise ValueError("seql smoothing_norm must be 'squared' or 'frobenius'")
        if self.options["smoothing_layers"] not in ("all", "code"):
            raise ValueError("seql smoothing_layers must be 'all' or 'code'")
        if self.options["init"] not in ("independent", "shared"):
            raise ValueError(f"seql init must be 'independent' or 'shared', not {self.options['init']!r}")
        T, Gn = ctx.n_trials, ctx.n_groups
        self.n_groups = Gn
        self.weights = nn.ParameterList(
            [nn.Parameter(torch.zeros(T, Gn, p.in_dim, p.n_pre)) for p in self.plans]
            + [nn.Parameter(torch.zeros(T, Gn, self.n_last, 1))]
        )
        self.reset_parameters(torch.Generator().manual_seed(ctx.seed))

    def reset_parameters(self, generator: torch.Generator) -> None:
        # "shared" starts every slot of a trial from the same network. Behind a shared encoder
        # this matters: independently drawn slots are 128 different random functions, whose
        # gradients on the latent point every which way and largely cancel.
        shared = self.options["init"] == "shared"
        with torch.no_grad():
            for i, w in enumerate(self.weights):
                shape = (w.shape[0], 1, *w.shape[2:]) if shared else w.shape
                last = i == len(self.weights) - 1
                draw = torch.rand(shape, generator=generator) if last else \
                    self.options["init_std"] * torch.randn(shape, generator=generator)
                w.copy_(draw.expand(w.shape))
        self.reset_gates(generator)

    def raw_weights(self, group=None, t=None):
        if group is None:  # the whole grid, in order: no gather
            return list(self.weights)
        trial = torch.arange(self.n_trials, device=group.device).unsqueeze(1)
        return [w[trial, group] for w in self.weights]

    def extra_penalty(self) -> torch.Tensor:
        opts = self.options
        if opts["smoothing"] == 0 or self.n_groups < 2:
            return torch.zeros(self.n_trials, device=self.weights[0].device)
        layers = self.weights if opts["smoothing_layers"] == "all" else self.weights[: len(self.plans) - 1]
        squared = opts["smoothing_norm"] == "squared"
        return opts["smoothing"] * sum(neighbour_penalty(w, squared) for w in layers)
