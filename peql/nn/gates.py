"""Relaxed-L0 hard-concrete gates (Louizos et al.) and the smoothed L0.5 regulariser.

Constants and conventions follow the authors' code (original-code-facts section 2): one gate per
weight entry, one uniform draw per gate per step shared by the whole minibatch and by every
parameter value, and a deterministic test-time gate without the temperature.
"""

from __future__ import annotations

import math

import torch

BETA = 2.0 / 3.0
GAMMA = -0.1
ZETA = 1.1
EPS = 1e-6
#: beta * ln(-gamma / zeta): the shift inside the expected-L0 penalty (about -1.5986).
_PENALTY_SHIFT = BETA * math.log(-GAMMA / ZETA)


def init_log_alpha(shape: tuple[int, ...], generator: torch.Generator | None = None,
                   droprate: float = 0.5, std: float = 0.01) -> torch.Tensor:
    """log(alpha) ~ N(ln(1-p) - ln p, std): mean 0 for the code's droprate 0.5."""
    mean = math.log(1 - droprate) - math.log(droprate)
    return mean + std * torch.randn(shape, generator=generator)


def sample_noise(shape: tuple[int, ...], generator: torch.Generator | None = None,
                 device=None, dtype=torch.float32) -> torch.Tensor:
    """Uniform draws in [EPS, 1 - EPS] (the bounds keep log(u), log(1-u) finite)."""
    u = torch.rand(shape, generator=generator, device=device, dtype=dtype)
    return u * (1 - 2 * EPS) + EPS


def sampled_gate(log_alpha: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """Training-time gate z = clip(sigmoid((ln u - ln(1-u) + log_alpha)/beta)(zeta-gamma)+gamma, 0, 1)."""
    s = torch.sigmoid((torch.log(u) - torch.log1p(-u) + log_alpha) / BETA)
    return torch.clamp(s * (ZETA - GAMMA) + GAMMA, 0.0, 1.0)


def deterministic_gate(log_alpha: torch.Tensor) -> torch.Tensor:
    """Test-time gate clip(sigmoid(log_alpha)(zeta-gamma)+gamma, 0, 1); exactly 0 below ln(1/11)."""
    return torch.clamp(torch.sigmoid(log_alpha) * (ZETA - GAMMA) + GAMMA, 0.0, 1.0)


def l0_penalty(log_alpha: torch.Tensor) -> torch.Tensor:
    """Expected number of open gates, summed over every axis but the leading trial axis."""
    return torch.sigmoid(log_alpha - _PENALTY_SHIFT).flatten(1).sum(1)


def smoothed_l05(w: torch.Tensor, a: float) -> torch.Tensor:
    """The earlier paper's L0.5*: sum sqrt(p(w)) with p(w) = |w| for |w| >= a and
    -w^4/(8a^3) + 3w^2/(4a) + 3a/8 below (C1 at |w| = a, finite gradient at 0).
    Summed over every axis but the leading trial axis."""
    aw = w.abs()
    inner = -(w**4) / (8 * a**3) + 3 * w * w / (4 * a) + 3 * a / 8
    p = torch.where(aw >= a, aw, inner)
    return torch.sqrt(p).flatten(1).sum(1)
