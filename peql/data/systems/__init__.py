"""The built-in benchmark systems of both papers (registered by ``peql.builtin``)."""

from __future__ import annotations

from . import analytic, digits, eql_benchmark, ks, pde, springs, trajectories
from .base import Run, System

#: Every built-in system, in the order ``peql list`` groups them (it sorts by name).
BUILTIN_SYSTEMS: list[System] = [
    *analytic.SYSTEMS,
    eql_benchmark.SYSTEM,
    *pde.SYSTEMS,
    ks.SYSTEM,
    *springs.SYSTEMS,
    *trajectories.SYSTEMS,
    digits.SYSTEM,
]

__all__ = ["BUILTIN_SYSTEMS", "Run", "System"]
