"""Learning-rate and regularisation-weight schedules, evaluated per epoch as in the original
(constant within an epoch). ``r = epoch / total_epochs``.

one-cycle learning rate (relative to the base):
    r <= 5/6: 5 - 9.9*|1.2 r - 0.5|  (0.05 -> 5 at r = 5/12 -> 0.05)
    r >  5/6: 1e-4
one-cycle regularisation weight (relative to the base):
    r <= 0.95*5/6: (2.4 r)^2          (0 -> 3.61)
    r <= 5/6:      2.61*20*(1 - 1.2 r) + 1   (3.61 -> 1)
    r >  5/6:      1
"""

from __future__ import annotations

_END = 5.0 / 6.0


def one_cycle_lr(r: float) -> float:
    """Learning-rate factor at training fraction ``r`` in [0, 1]."""
    return 5.0 - 9.9 * abs(1.2 * r - 0.5) if r <= _END else 1e-4


def one_cycle_rw(r: float) -> float:
    """Regularisation-weight factor at training fraction ``r`` in [0, 1]."""
    if r <= 0.95 * _END:
        return (2.4 * r) ** 2
    if r <= _END:
        return 2.61 * 20.0 * (1.0 - 1.2 * r) + 1.0
    return 1.0


def constant(r: float) -> float:
    return 1.0


SCHEDULES = {"one_cycle": (one_cycle_lr, one_cycle_rw), "constant": (constant, constant)}


class Schedule:
    """Per-step learning rate and regularisation weight.

    Args:
        kind: ``"one_cycle"`` (the original's) or ``"constant"``.
        base_lr, base_rw: the base values the factors multiply.
        total_steps, steps_per_epoch: the epoch of step s is ``s // steps_per_epoch``; with
            ``E = ceil(total_steps / steps_per_epoch)`` epochs, ``r = epoch / E`` as in the
            original (1201 epochs: the learning rate peaks at epoch 500, the final phase starts
            at epoch 1001).
    """

    def __init__(self, kind: str, base_lr: float, base_rw: float, total_steps: int, steps_per_epoch: int):
        if kind not in SCHEDULES:
            raise ValueError(f"unknown schedule {kind!r}; known: {sorted(SCHEDULES)}")
        self.lr_fn, self.rw_fn = SCHEDULES[kind]
        self.base_lr, self.base_rw = base_lr, base_rw
        self.steps_per_epoch = max(1, steps_per_epoch)
        self.epochs = max(1, -(-total_steps // self.steps_per_epoch))

    def fraction(self, step: int) -> float:
        epoch = step // self.steps_per_epoch
        return epoch / self.epochs

    def __call__(self, step: int) -> tuple[float, float]:
        r = self.fraction(step)
        return self.base_lr * self.lr_fn(r), self.base_rw * self.rw_fn(r)
