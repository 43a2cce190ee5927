"""Rows grouped by parameter value, as zero-padded 3-D blocks for batched linear algebra.

Group-wise regressions (SGTR's per-group ridge fits) run as one batched solve over a
``(groups, rows, columns)`` array. Groups may hold different numbers of rows (a scattered
parameter, a random validation hold-out); the short ones are padded with zero rows, which change
neither a least-squares nor a ridge solution (they add nothing to A^T A or A^T b).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Groups:
    """Where every row goes.

    Attributes:
        values: (m,) sorted distinct parameter values.
        group: (n,) group index of every row.
        slot: (n,) position of every row inside its group's block.
        counts: (m,) rows per group.
    """

    values: np.ndarray
    group: np.ndarray
    slot: np.ndarray
    counts: np.ndarray

    @property
    def size(self) -> int:
        return int(self.counts.max()) if len(self.counts) else 0

    def stack(self, a: np.ndarray) -> np.ndarray:
        """(n, ...) rows -> (m, size, ...) blocks, zero-padded."""
        out = np.zeros((len(self.values), self.size, *a.shape[1:]), dtype=np.result_type(a, 0.0))
        out[self.group, self.slot] = a
        return out

    def mask(self) -> np.ndarray:
        """(m, size) True where a block holds a real row (False on padding)."""
        return np.arange(self.size)[None, :] < self.counts[:, None]


def group_by(param: np.ndarray) -> Groups:
    """Group rows by their parameter value (rows keep their order within a group)."""
    param = np.asarray(param, dtype=np.float64)
    values, group = np.unique(param, return_inverse=True)
    counts = np.bincount(group, minlength=len(values))
    order = np.argsort(group, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    slot = np.empty(len(param), dtype=np.int64)
    slot[order] = np.arange(len(param)) - starts[group[order]]
    return Groups(values, group, slot, counts)
