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
            raise ValueError(f"unknown schedule {kind!r}; known: {sorted(SCHEDULES) + ['three_phase']}")
        self.lr_fn, self.rw_fn = SCHEDULES[kind]
        self.base_lr, self.base_rw = base_lr, base_rw
        self.steps_per_epoch = max(1, steps_per_epoch)
        self.epochs = max(1, -(-total_steps // self.steps_per_epoch))

    def fraction(self, step: int) -> float:
        epoch = step // self.steps_per_epoch
        return epoch / self.epochs

    freeze_step = None  # no phase freezes weights

    def __call__(self, step: int) -> tuple[float, float]:
        r = self.fraction(step)
        return self.base_lr * self.lr_fn(r), self.base_rw * self.rw_fn(r)


class PhasedSchedule:
    """The earlier paper's multi-phase schedule for smoothed L0.5: warm-up (10x the base learning
    rate, regulariser on), regularise (base learning rate), then small weights are frozen at zero
    and the network fine-tuned on the MSE alone at a tenth of the base learning rate.

    Args:
        base_lr, base_rw: the base values.
        total_steps: split over the phases in proportion to their lengths (the original's
            2,000 / 10,001 / 10,001 iterations by default).
        freeze_threshold: weights with |w| <= this are frozen when the last phase starts (0.01).
        phases: ``[(length, lr factor, rw factor), ...]`` instead of :attr:`PHASES` (the
            dynamics scripts had no warm-up: ``[[5001, 1, 1], [5001, 0.1, 0]]``); the freeze
            always comes before the last phase.
    """

    #: (relative length, learning-rate factor, regularisation factor) of each phase
    PHASES = ((2000, 10.0, 1.0), (10001, 1.0, 1.0), (10001, 0.1, 0.0))

    def __init__(self, base_lr: float, base_rw: float, total_steps: int, freeze_threshold: float = 0.01,
                 phases=None):
        self.base_lr, self.base_rw = base_lr, base_rw
        self.freeze_threshold = freeze_threshold
        if phases is not None:
            phases = tuple(tuple(float(v) for v in p) for p in phases)
            if len(phases) < 2 or any(len(p) != 3 or p[0] <= 0 for p in phases):
                raise ValueError(f"phases must be at least two [length > 0, lr factor, rw factor] triples, got {phases}")
            self.PHASES = phases
        total = sum(p[0] for p in self.PHASES)
        bounds, acc = [], 0
        for n, _, _ in self.PHASES:
            acc += n
            bounds.append(round(total_steps * acc / total))
        self.bounds = bounds
        self.freeze_step = bounds[-2]  # the first step of the fine-tuning phase

    def __call__(self, step: int) -> tuple[float, float]:
        for bound, (_, lr, rw) in zip(self.bounds, self.PHASES):
            if step < bound:
                return self.base_lr * lr, self.base_rw * rw
        _, lr, rw = self.PHASES[-1]
        return self.base_lr * lr, self.base_rw * rw


def make_schedule(kind: str, base_lr: float, base_rw: float, total_steps: int, steps_per_epoch: int,
                  freeze_threshold: float = 0.01, phases=None):
    """``one_cycle`` / ``constant`` (per epoch) or ``three_phase`` (the earlier paper's, with
    optional custom ``phases``)."""
    if kind == "three_phase":
        return PhasedSchedule(base_lr, base_rw, total_steps, freeze_threshold, phases)
    if phases is not None:
        raise ValueError(f"phases apply to the three_phase schedule, not {kind!r}")
    return Schedule(kind, base_lr, base_rw, total_steps, steps_per_epoch)
