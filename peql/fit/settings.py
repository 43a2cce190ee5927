"""Training settings: defaults per architecture (the original's), overridable from config."""

from __future__ import annotations

import difflib
import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Mapping

#: The original code's settings per architecture (original-code-facts section 4.4); steps are
#: left to the caller (the original: 38,432 for seql / heql on the analytic benchmarks).
ARCH_DEFAULTS: dict[str, dict[str, Any]] = {
    "seql": {"lr": 1e-2, "rw": 3e-3, "schedule": "one_cycle", "samples_per_group": 16, "groups_per_batch": "all",
             "target_normalisation": "per_param"},
    "heql": {"lr": 1e-3, "rw": 3e-3, "schedule": "one_cycle", "samples_per_group": 64, "groups_per_batch": 64,
             "target_normalisation": "global"},
    "eql": {"lr": 1e-2, "rw": 5e-3, "schedule": "constant", "samples_per_group": "all", "groups_per_batch": "all",
            "target_normalisation": "none"},
    "mlp": {"lr": 1e-3, "rw": 0.0, "schedule": "one_cycle", "samples_per_group": 64, "groups_per_batch": 64,
            "target_normalisation": "global"},
}


@dataclass
class FitSettings:
    """Everything that defines a training run (recorded in the checkpoint and equations.json).

    ``None`` fields take the architecture's default from :data:`ARCH_DEFAULTS`.
    """

    architecture: str = "seql"
    trials: int = 8
    steps: int = 2000
    seed: int = 0
    device: str = "auto"
    cuda_graph: bool = True   # on CUDA, replay the training step as a captured graph (peql.fit.graphed)
    lr: float | None = None
    rw: float | None = None
    schedule: str | None = None
    optimizer: str = "tf"
    samples_per_group: int | str | None = None   # "all": every sample of a group (full batch)
    groups_per_batch: int | str | None = None    # "all": every parameter value, in order (seql)
    target_normalisation: str | None = None
    network: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)
    encoder: str | None = None      # a registered encoder (conv1d, conv2d): train on the dataset's images
    encoder_options: dict = field(default_factory=dict)
    horizon: list | None = None     # trajectories: [[from_step, predicted steps], ...] (None: all steps)
    residual: bool = False          # trajectories: each head predicts its state's change, not the next state
    freeze_threshold: float = 0.01   # three_phase: |w| <= this is frozen at zero for fine-tuning
    phases: list | None = None       # three_phase: [[length, lr factor, rw factor], ...] (None: the original's)
    max_restarts: int = 3
    checkpoint_every_s: float = 120.0
    log_every: int = 100

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "FitSettings":
        """Settings from a plain mapping (config, ``--set``, a checkpoint), checked by
        :meth:`checked`: an unknown key or a bad value is a ValueError that names it."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            close = {k: difflib.get_close_matches(k, sorted(known), n=1, cutoff=0.5) for k in sorted(unknown)}
            hints = "; ".join(f"did you mean {c[0]!r} for {k!r}?" for k, c in close.items() if c)
            raise ValueError(f"unknown fit setting(s) {sorted(unknown)}{'; ' + hints if hints else ''}; "
                             f"known: {sorted(known)}")
        return cls(**dict(data)).checked()

    def checked(self) -> "FitSettings":
        """A copy with numbers given as text converted, every value checked (a ValueError names
        the setting): learning rate, steps, trials positive; thresholds and weights >= 0."""
        d = asdict(self)
        for key, (kind, low, strict) in _NUMBERS.items():
            value = d[key]
            if value is None and key in _OPTIONAL:
                continue
            if key in _ALL_OR_INT and value == "all":
                continue
            d[key] = _number(key, value, kind, low, strict)
        for key in ("network", "options", "encoder_options"):
            if not isinstance(d[key], Mapping):
                raise ValueError(f"fit setting {key} must be a mapping of settings, got {d[key]!r}")
        for key in ("cuda_graph", "residual"):
            if not isinstance(d[key], bool):
                raise ValueError(f"fit setting {key} must be true or false, got {d[key]!r}")
        if d["optimizer"] not in ("tf", "torch"):
            raise ValueError(f"fit setting optimizer must be 'tf' or 'torch', got {d['optimizer']!r}")
        if d["target_normalisation"] not in (None, "per_param", "global", "none"):
            raise ValueError("fit setting target_normalisation must be 'per_param', 'global' or 'none', "
                             f"got {d['target_normalisation']!r}")
        return FitSettings(**d)

    def resolved(self) -> "FitSettings":
        """A copy with architecture defaults filled in where a field is None, checked."""
        defaults = ARCH_DEFAULTS.get(self.architecture, ARCH_DEFAULTS["heql"])
        d = asdict(self)
        for key, value in defaults.items():
            if d[key] is None:
                d[key] = value
        return FitSettings(**d).checked()

    def batch_shape(self) -> tuple[int | None, int | None]:
        """(samples per group, groups per batch), None meaning all of them."""
        spg, gpb = self.samples_per_group, self.groups_per_batch
        return (None if spg == "all" else int(spg), None if gpb == "all" else int(gpb))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


#: Numeric settings: (int or float, lower bound, bound excluded?).
_NUMBERS = {
    "trials": (int, 1, False), "steps": (int, 1, False), "seed": (int, 0, False), "lr": (float, 0.0, True),
    "rw": (float, 0.0, False), "samples_per_group": (int, 1, False), "groups_per_batch": (int, 1, False),
    "freeze_threshold": (float, 0.0, False), "max_restarts": (int, 0, False),
    "checkpoint_every_s": (float, 0.0, False), "log_every": (int, 1, False),
}
_OPTIONAL = {"lr", "rw", "samples_per_group", "groups_per_batch"}   # None: the architecture's default
_ALL_OR_INT = {"samples_per_group", "groups_per_batch"}


def _number(key: str, value: Any, kind: type, low: float, strict: bool):
    """``value`` as ``kind`` (text such as ``"1e-3"``, which YAML leaves a string, is converted);
    a ValueError names the setting and the allowed range."""
    bound = f"> {low:g}" if strict else f">= {low:g}"
    noun = "an integer" if kind is int else "a number"
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(value)
        if kind is int:
            if not number.is_integer():
                raise ValueError
            number = int(number)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"fit setting {key}={value!r} is not {noun}; it must be {noun} {bound}") from None
    if not math.isfinite(number) or number < low or (strict and number == low):
        raise ValueError(f"fit setting {key}={value!r} is out of range; it must be {noun} {bound}")
    return number


def resolve_device(name: str):
    import torch

    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' requested but CUDA is not available; use 'cpu' or 'auto'")
    if name not in ("cpu", "cuda") and not name.startswith("cuda:"):
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda', got {name!r}")
    return torch.device(name)
