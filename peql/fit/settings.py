"""Training settings: defaults per architecture (the original's), overridable from config."""

from __future__ import annotations

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
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fit setting(s) {sorted(unknown)}; known: {sorted(known)}")
        return cls(**dict(data))

    def resolved(self) -> "FitSettings":
        """A copy with architecture defaults filled in where a field is None."""
        defaults = ARCH_DEFAULTS.get(self.architecture, ARCH_DEFAULTS["heql"])
        d = asdict(self)
        for key, value in defaults.items():
            if d[key] is None:
                d[key] = value
        return FitSettings(**d)

    def batch_shape(self) -> tuple[int | None, int | None]:
        """(samples per group, groups per batch), None meaning all of them."""
        spg, gpb = self.samples_per_group, self.groups_per_batch
        return (None if spg == "all" else int(spg), None if gpb == "all" else int(gpb))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def resolve_device(name: str):
    import torch

    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' requested but CUDA is not available; use 'cpu' or 'auto'")
    if name not in ("cpu", "cuda") and not name.startswith("cuda:"):
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda', got {name!r}")
    return torch.device(name)
