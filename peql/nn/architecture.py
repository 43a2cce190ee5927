"""The ``Architecture`` component: how a registered name becomes a trial-batched network."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .base import ModelContext, TrialModule


@dataclass(frozen=True)
class Architecture:
    """A network family that the training engine can fit.

    Attributes:
        name: registry name (``eql``, ``seql``, ``heql``, ``mlp``, ...).
        build: ``build(ctx) -> TrialModule``.
        description: one line for ``peql list``.
        grid: True when weights are indexed by the distinct parameter values of the training data
            (SEQL): the model can only predict at those values.
        symbolic: False for networks with no equation to read out (the ReLU MLP).
    """

    name: str
    build: Callable[[ModelContext], TrialModule]
    description: str = ""
    grid: bool = False
    symbolic: bool = True
