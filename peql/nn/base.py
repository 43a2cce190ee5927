"""Trial-batched modules: every parameter has a leading trial axis, so N independently
initialised networks train as one tensor program and can be sliced apart again."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import torch
from torch import nn

from . import gates as G
from .primitives import Primitive
from .spec import LayerPlan, NetworkSpec, plan_layers
from .symbolic import forward_stack


@dataclass
class ModelContext:
    """Everything an architecture needs to build its network.

    Attributes:
        n_trials: independent networks in the batch.
        input_names: names of the input features (without the parameter).
        param_name: name of the varying parameter.
        n_groups: distinct parameter values of the training grid (SEQL's weight slots).
        spec: the symbolic network spec.
        primitives: registered primitives by name.
        options: architecture-specific settings (validated by the architecture).
        seed: seed of the initialisation.
    """

    n_trials: int
    input_names: Sequence[str]
    param_name: str = "t"
    n_groups: int = 1
    spec: NetworkSpec = field(default_factory=NetworkSpec)
    primitives: Mapping[str, Primitive] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)
    seed: int = 0


def take_options(options: Mapping[str, Any], defaults: Mapping[str, Any], arch: str) -> dict[str, Any]:
    """``defaults`` updated by ``options``; an unknown key names the architecture and the known keys."""
    unknown = set(options) - set(defaults)
    if unknown:
        raise ValueError(f"unknown {arch} option(s) {sorted(unknown)}; known: {sorted(defaults)}")
    return {**defaults, **options}


class TrialModule(nn.Module):
    """Base of every architecture. Subclasses fill parameters in :meth:`reset_parameters`."""

    n_trials: int
    #: Whether the network has an equation to read out.
    symbolic: bool = False
    #: Whether the parameter is one of the network's inputs (eql): its read-out is then one law in
    #: the inputs and the parameter, not a law per parameter value.
    param_as_input: bool = False

    def reset_parameters(self, generator: torch.Generator) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def select_trials(self, index: Sequence[int] | torch.Tensor) -> "TrialModule":
        """A copy holding only the trials in ``index`` (in that order)."""
        index = torch.as_tensor(index, dtype=torch.long)
        clone = copy.deepcopy(self)
        for tensor in list(clone.parameters()) + list(clone.buffers()):
            tensor.data = tensor.data[index.to(tensor.device)].clone()
        if getattr(clone, "masks", None) is not None:  # freeze masks are per trial too
            clone.masks = [m[index.to(m.device)].clone() for m in clone.masks]
        clone.n_trials = len(index)
        return clone

    def reinitialise_trials(self, mask: torch.Tensor, generator: torch.Generator) -> None:
        """Fresh random values for the trials where ``mask`` is True; the others are untouched."""
        fresh = copy.deepcopy(self)
        fresh.reset_parameters(generator)
        with torch.no_grad():
            for mine, new in zip(list(self.parameters()) + list(self.buffers()),
                                 list(fresh.parameters()) + list(fresh.buffers())):
                mine[mask.to(mine.device)] = new[mask.to(mine.device)]

    def augment_shape(self, sample_shape: Sequence[int]) -> tuple[int, ...] | None:
        """Shape of the standard-normal draws one training sample's input augmentation needs,
        for samples of ``sample_shape``; None (the default) when the model does not augment."""
        return None

    def augment(self, x, draws: torch.Tensor):
        """Training input ``x`` perturbed with ``draws`` ``(*batch, *augment_shape)`` (the
        trainer's hook for encoders' augmentation; never called at evaluation)."""
        return x

    def forward(self, x, group, t, noise=None):  # pragma: no cover - abstract
        """Predict (T, P, B) and return ``(prediction, penalty)`` with a (T,) penalty."""
        raise NotImplementedError


class SymbolicModel(TrialModule):
    """Shared machinery of eql / seql / heql: gates, regulariser, the symbolic stack.

    Subclasses implement :meth:`raw_weights` returning the ungated weights of every layer
    (hidden layers, then output) for the requested parameter values.
    """

    symbolic = True

    def __init__(self, ctx: ModelContext, n_inputs: int):
        super().__init__()
        self.n_trials = ctx.n_trials
        self.spec = ctx.spec
        self.input_names = list(ctx.input_names)
        self.param_name = ctx.param_name
        self.plans: list[LayerPlan] = plan_layers(ctx.spec, n_inputs, ctx.primitives)
        self.n_last = self.plans[-1].n_out
        shapes = [(p.in_dim, p.n_pre) for p in self.plans]
        if ctx.spec.gate_output:
            shapes.append((self.n_last, 1))
        self.gated_shapes = shapes if ctx.spec.regulariser == "l0" else []
        self.log_alpha = nn.ParameterList(
            [nn.Parameter(torch.zeros(ctx.n_trials, *s)) for s in self.gated_shapes]
        )
        # Freeze masks (three-phase schedule); None until freeze_small_weights is called.
        self.masks: list[torch.Tensor] | None = None

    # -- to implement ------------------------------------------------------------------
    def raw_weights(self, group, t) -> list[torch.Tensor]:  # pragma: no cover - abstract
        """Ungated weights [(T, P|1, in, out) per hidden layer..., (T, P|1, n_last, 1)]."""
        raise NotImplementedError

    def extra_penalty(self) -> torch.Tensor:
        """Architecture-specific regularisation per trial (SEQL smoothing); zero by default."""
        return torch.zeros(self.n_trials, device=next(self.parameters()).device)

    def model_inputs(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """The symbolic network's input; ``eql`` appends the parameter."""
        return x

    # -- shared ---------------------------------------------------------------------------
    def reset_gates(self, generator: torch.Generator) -> None:
        with torch.no_grad():
            for la in self.log_alpha:
                la.copy_(G.init_log_alpha(tuple(la.shape), generator))

    def gate_noise_shapes(self) -> list[tuple[int, ...]]:
        """Shapes of the uniform draws one training step needs (one per gate, per trial)."""
        return [(self.n_trials, *s) for s in self.gated_shapes]

    def gates(self, noise: Sequence[torch.Tensor] | None) -> list[torch.Tensor]:
        """Sampled gates when ``noise`` is given, else the deterministic test-time gates."""
        if noise is None:
            return [G.deterministic_gate(la) for la in self.log_alpha]
        return [G.sampled_gate(la, u) for la, u in zip(self.log_alpha, noise)]

    def effective_weights(self, group=None, t=None, noise=None) -> list[torch.Tensor]:
        """Gated (and masked) weights of every layer, output last."""
        weights = self.raw_weights(group, t)
        if self.masks is not None:
            weights = [w * m for w, m in zip(weights, self.masks)]
        gates = self.gates(noise) if self.gated_shapes else []
        # Gates are shared by every parameter value: broadcast over the P axis.
        weights = [w * z.unsqueeze(1) for w, z in zip(weights, gates)] + weights[len(gates):]
        return weights

    def penalty(self, weights: Sequence[torch.Tensor]) -> torch.Tensor:
        if self.spec.regulariser == "l0":
            reg = sum(G.l0_penalty(la) for la in self.log_alpha)
        elif self.spec.regulariser == "l05":
            reg = sum(G.smoothed_l05(w, self.spec.l05_a) for w in weights)
        else:
            reg = 0.0
        return reg + self.extra_penalty()

    def forward(self, x, group=None, t=None, noise=None):
        weights = self.effective_weights(group, t, noise)
        y = forward_stack(self.model_inputs(x, t), weights[:-1], weights[-1], self.plans, self.spec.skip)
        return y, self.penalty(weights)

    @torch.no_grad()
    def freeze_small_weights(self, threshold: float) -> int:
        """Zero and freeze every effective weight with |w| <= threshold (the earlier paper's
        phase 3): a mask multiplies the weights from now on, so they stay exactly zero. Only for
        architectures whose weights are parameters indexed like their effective weights (eql,
        seql). Returns the number of weights frozen."""
        weights = getattr(self, "weights", None)
        if weights is None:
            raise ValueError(f"{type(self).__name__} generates its weights; freezing needs eql or seql")
        effective = self.effective_weights(None, None)
        self.masks = [(w.abs() > threshold).to(w.dtype) for w in effective]
        for raw, mask in zip(weights, self.masks):
            raw.mul_(mask)
        return int(sum((m == 0).sum().item() for m in self.masks))
