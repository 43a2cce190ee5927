"""RMSProp with the original (TensorFlow 1) semantics or PyTorch's, with per-trial state reset.

TF1: ``ms = decay*ms + (1-decay)*g^2; p -= lr*g/sqrt(ms + eps)`` with ms starting at 1 (a built-in
warm-up) and eps = 1e-10 inside the root. PyTorch: ms starts at 0, alpha 0.99, eps 1e-8 outside
the root. Implemented with foreach kernels (one fused call per operation over all parameters).
"""

from __future__ import annotations

from typing import Sequence

import torch

VARIANTS = {
    "tf": {"decay": 0.9, "eps": 1e-10, "init": 1.0, "eps_inside": True},
    "torch": {"decay": 0.99, "eps": 1e-8, "init": 0.0, "eps_inside": False},
}


class RMSProp:
    """RMSProp over trial-batched parameters (leading axis = trial)."""

    def __init__(self, params: Sequence[torch.Tensor], variant: str = "tf"):
        if variant not in VARIANTS:
            raise ValueError(f"unknown rmsprop variant {variant!r}; known: {sorted(VARIANTS)}")
        self.variant = variant
        self.cfg = VARIANTS[variant]
        self.params = [p for p in params if p.requires_grad]
        self.ms = [torch.full_like(p, self.cfg["init"]) for p in self.params]

    @torch.no_grad()
    def step(self, lr: float | torch.Tensor) -> None:
        """One update; ``lr`` is a number, or a 0-d tensor on the device (CUDA-graph capture)."""
        params = [p for p in self.params if p.grad is not None]
        grads = [p.grad for p in params]
        ms = [m for p, m in zip(self.params, self.ms) if p.grad is not None]
        d, eps = self.cfg["decay"], self.cfg["eps"]
        torch._foreach_mul_(ms, d)
        torch._foreach_addcmul_(ms, grads, grads, value=1.0 - d)
        # one temporary per parameter, updated in place (the nested form made two)
        if self.cfg["eps_inside"]:
            denom = torch._foreach_add(ms, eps)
            torch._foreach_sqrt_(denom)
        else:
            denom = torch._foreach_sqrt(ms)
            torch._foreach_add_(denom, eps)
        if isinstance(lr, torch.Tensor):
            torch._foreach_div_(denom, lr)
            torch._foreach_addcdiv_(params, grads, denom, value=-1.0)
        else:
            torch._foreach_addcdiv_(params, grads, denom, value=-lr)

    @torch.no_grad()
    def reset_trials(self, mask: torch.Tensor) -> None:
        """Restart the accumulators of the trials where ``mask`` is True."""
        for m in self.ms:
            m[mask.to(m.device)] = self.cfg["init"]

    def state_dict(self) -> dict:
        return {"variant": self.variant, "ms": [m.detach().clone() for m in self.ms]}

    def load_state_dict(self, state: dict) -> None:
        if state["variant"] != self.variant or len(state["ms"]) != len(self.ms):
            raise ValueError("optimizer state does not match this model")
        for m, saved in zip(self.ms, state["ms"]):
            m.copy_(saved)
