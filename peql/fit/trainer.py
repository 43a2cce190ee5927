"""One training step for N batched trials, with per-trial divergence handling.

The loss is the sum of per-trial losses, so every trial's gradient is exactly what it would be
alone. A trial whose loss turns NaN or inf is masked out of that step (its gradient zeroed),
re-initialised with its own optimiser state reset, and counted; after ``max_restarts`` it is
frozen. No other trial sees any of this.
"""

from __future__ import annotations

import torch

from .data import GroupedData
from .graphed import GraphedStep
from .optim import RMSProp
from .sampler import Draw, _generator

_STREAM_REINIT = 3


class Trainer:
    """Holds the model, its optimiser and the divergence bookkeeping.

    Args:
        model: a trial-batched network.
        data: grouped training data on the model's device.
        optimizer: ``"tf"`` (the original's RMSProp) or ``"torch"``.
        max_restarts: re-initialisations allowed per trial before it is frozen.
        seed: seeds the re-initialisation stream.
        cuda_graph: on a CUDA device, replay the step as a captured CUDA graph
            (:mod:`peql.fit.graphed`; same arithmetic, several times faster at these sizes).
    """

    def __init__(self, model, data: GroupedData, optimizer: str = "tf", max_restarts: int = 3, seed: int = 0,
                 cuda_graph: bool = True):
        self.model, self.data, self.seed = model, data, seed
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.opt = RMSProp(self.params, optimizer)
        T = model.n_trials
        self.restarts = torch.zeros(T, dtype=torch.long)
        self.frozen = torch.zeros(T, dtype=torch.bool)
        self.max_restarts = max_restarts
        on_cuda = next(model.parameters()).device.type == "cuda"
        self.graphed = GraphedStep(self) if cuda_graph and on_cuda and data.graph_safe else None

    def loss_terms(self, draw: Draw) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-trial MSE (T,) on the minibatch and per-trial penalty (T,)."""
        x, y = self.data.batch(draw.idx)
        if draw.augment is not None:
            x = self.model.augment(x, draw.augment)
        pred, penalty = self.model(x, draw.group, draw.t, draw.noise or None)
        mse = (pred - y).pow(2).flatten(1).mean(1)
        return mse, penalty

    def train_step(self, draw: Draw, lr: float, rw: float, step: int = 0) -> torch.Tensor:
        """One RMSProp step; returns the per-trial total loss (detached)."""
        if self.graphed is not None:
            return self.graphed.step(draw, lr, rw, step)
        mse, penalty = self.loss_terms(draw)
        loss = mse + rw * penalty
        finite = torch.isfinite(loss)
        healthy = bool(finite.all()) and not bool(self.frozen.any())
        for p in self.params:
            p.grad = None
        if healthy:
            loss.sum().backward()
        else:
            bad = ~finite | self.frozen.to(finite.device)
            torch.where(bad, torch.zeros_like(loss), loss).sum().backward()
            for p in self.params:
                if p.grad is not None:
                    p.grad.masked_fill_(bad.view(-1, *[1] * (p.dim() - 1)), 0.0)
        self.opt.step(lr)
        if not healthy:
            self._handle_divergence((~finite).cpu() & ~self.frozen, step)
        return loss.detach()

    def sync(self, step: int) -> None:
        """Settle divergence the graphed step has recorded but not yet handled (before a save)."""
        if self.graphed is not None:
            self.graphed.sync(step)

    def freeze_small_weights(self, threshold: float) -> int:
        """The model's phase-3 freeze; the masks are new tensors, so a captured graph is dropped."""
        if self.graphed is not None:
            self.graphed.invalidate()
        return self.model.freeze_small_weights(threshold)

    def _handle_divergence(self, diverged: torch.Tensor, step: int) -> None:
        if not diverged.any():
            return
        self.restarts += diverged.long()
        give_up = diverged & (self.restarts > self.max_restarts)
        self.frozen |= give_up
        again = diverged & ~give_up
        if again.any():
            gen = _generator(torch.device("cpu"), self.seed, _STREAM_REINIT, step)
            self.model.reinitialise_trials(again, gen)
            self.opt.reset_trials(again)

    def state_dict(self) -> dict:
        masks = getattr(self.model, "masks", None)
        return {"model": self.model.state_dict(), "opt": self.opt.state_dict(),
                "restarts": self.restarts.clone(), "frozen": self.frozen.clone(),
                "masks": None if masks is None else [m.clone() for m in masks]}

    def load_state_dict(self, state: dict) -> None:
        self.model.load_state_dict(state["model"])
        self.opt.load_state_dict(state["opt"])
        self.restarts.copy_(state["restarts"])
        self.frozen.copy_(state["frozen"])
        if state.get("masks") is not None:
            device = next(self.model.parameters()).device
            self.model.masks = [m.to(device) for m in state["masks"]]
        if self.graphed is not None:
            self.graphed.invalidate()
            self.graphed.frozen.copy_(self.frozen)
