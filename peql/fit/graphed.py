"""The training step recorded once as a CUDA graph and replayed.

At the networks' sizes a step is a few hundred tiny kernels, so on a GPU the time goes to
launching them from Python (about 7 ms per step on an H100, whatever the trial count). Replaying a
captured graph launches them all at once. The graphed step computes exactly what
:meth:`Trainer.train_step` does, written without host-side branches so that it can be captured:

* every step masks the trials whose loss is not finite (or that are frozen) out of the loss and
  their gradients; for a healthy batch the mask is all False and changes nothing;
* the learning rate and regularisation weight live in device scalars that are refilled per step;
* the minibatch, gate noise and augmentation draws are copied into fixed buffers that the graph reads;
* divergence is recorded on the device and handled (re-initialisation, counting, freezing)
  every ``check_every`` steps, not every step, because reading it back stalls the GPU. A diverged
  trial meanwhile takes no updates, so nothing but the step of its restart changes.

The first ``WARMUP`` steps run the same code eagerly on a side stream (PyTorch's requirement
before capture), then the graph is captured and replayed. Anything that replaces tensors the graph
reads (loading a checkpoint, freezing masks) must call :meth:`invalidate`.
"""

from __future__ import annotations

import torch

from .sampler import Draw

WARMUP = 3


class GraphedStep:
    """CUDA-graph replay of one trainer's step (see the module docstring)."""

    def __init__(self, trainer, check_every: int = 10):
        self.trainer = trainer
        self.check_every = max(1, int(check_every))
        device = next(trainer.model.parameters()).device
        # float64 scalars: exact for float64 models, and a 0-d tensor never changes the dtype of
        # the float32 tensors it multiplies
        self.lr = torch.zeros((), device=device, dtype=torch.float64)
        self.rw = torch.zeros((), device=device, dtype=torch.float64)
        self.frozen = trainer.frozen.to(device)
        self.diverged = torch.zeros_like(self.frozen)
        self.draw: Draw | None = None
        self.graph: torch.cuda.CUDAGraph | None = None
        self.loss: torch.Tensor | None = None
        self.warm = 0

    def invalidate(self) -> None:
        """Forget the captured graph (the next steps warm up and capture again)."""
        self.graph, self.draw, self.warm = None, None, 0

    def _body(self) -> torch.Tensor:
        tr = self.trainer
        for p in tr.params:
            p.grad = None
        mse, penalty = tr.loss_terms(self.draw)
        loss = mse + self.rw * penalty
        finite = torch.isfinite(loss)
        bad = ~finite | self.frozen
        torch.where(bad, torch.zeros_like(loss), loss).sum().backward()
        for p in tr.params:
            if p.grad is not None:
                p.grad.masked_fill_(bad.view(-1, *[1] * (p.dim() - 1)), 0.0)
        tr.opt.step(self.lr)
        self.diverged.logical_or_(~finite & ~self.frozen)
        return loss.detach()

    def _load(self, draw: Draw, lr: float, rw: float) -> None:
        if self.draw is None:
            self.draw = Draw(draw.idx.clone(), None if draw.group is None else draw.group.clone(),
                             draw.t.clone(), [u.clone() for u in draw.noise],
                             None if draw.augment is None else draw.augment.clone())
        else:
            self.draw.idx.copy_(draw.idx)
            if draw.group is not None:
                self.draw.group.copy_(draw.group)
            self.draw.t.copy_(draw.t)
            for mine, new in zip(self.draw.noise, draw.noise):
                mine.copy_(new)
            if draw.augment is not None:
                self.draw.augment.copy_(draw.augment)
        self.lr.fill_(lr)
        self.rw.fill_(rw)

    def step(self, draw: Draw, lr: float, rw: float, step: int) -> torch.Tensor:
        """One training step; returns the per-trial loss (a buffer the next step overwrites)."""
        self._load(draw, lr, rw)
        if self.graph is None and self.warm < WARMUP:
            side = torch.cuda.Stream()
            side.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(side):
                self.loss = self._body()
            torch.cuda.current_stream().wait_stream(side)
            self.warm += 1
        else:
            if self.graph is None:
                self.graph = torch.cuda.CUDAGraph()
                with torch.cuda.graph(self.graph):
                    self.loss = self._body()
            self.graph.replay()
        if (step + 1) % self.check_every == 0:
            self.sync(step)
        return self.loss

    def sync(self, step: int) -> None:
        """Handle the divergence recorded since the last check (re-initialise, count, freeze)."""
        diverged = self.diverged.cpu()
        if diverged.any():
            self.diverged.zero_()
            self.trainer._handle_divergence(diverged & ~self.trainer.frozen, step)
            self.frozen.copy_(self.trainer.frozen)
