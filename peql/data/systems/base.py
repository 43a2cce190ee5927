"""The ``System`` component: a named, seeded data generator registered through
``register_systems``.

A plugin adds a system like this::

    import peql
    from peql.data import System, tabular_dataset

    def _generate(run):
        ...                      # run.settings, run.noise, run.seed, run.rng("train"), run.record
        return tabular_dataset(..., system=run.system, settings=run.record)

    @peql.hookimpl
    def register_systems(register):
        register(System("my_law", "y = a(t) x", "tabular", {"n_train": 512}, _generate))
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import xarray as xr

from ..dataset import KINDS, dataset_settings, validate_dataset
from ..noise import rng
from ...coerce import resolve_settings



@dataclass(frozen=True)
class Run:
    """What a generator is asked to produce: resolved settings, noise level and seed.

    Attributes:
        system: the system's name.  settings: every setting, defaults filled in and coerced.
        noise: noise level as a fraction of the standard deviation.  seed: the base seed.
    """

    system: str
    settings: Mapping[str, Any]
    noise: float
    seed: int

    def rng(self, stream: str) -> np.random.Generator:
        """The independent random stream ``stream`` of this run's seed."""
        return rng(self.seed, f"{self.system}/{stream}")

    @property
    def record(self) -> dict[str, Any]:
        """The settings as stored in ``attrs["settings"]``: all of them plus noise and seed."""
        return {**self.settings, "noise": self.noise, "seed": self.seed}


@dataclass(frozen=True)
class System:
    """A data generator.

    Attributes:
        name: lower-case identifier used in config files and result paths.
        description: one line, shown by ``peql list``.
        kind: ``"tabular"``, ``"field"``, ``"images"`` or ``"trajectories"``.
        defaults: every setting the generator accepts, with its default; the default's type
            (bool, int, float, str) is the type a value given on the command line is coerced to.
        generate: ``generate(run: Run) -> xarray.Dataset``.
        choices: for settings limited to a few values, the allowed values.
    """

    name: str
    description: str
    kind: str
    defaults: Mapping[str, Any]
    generate: Callable[[Run], xr.Dataset] = field(repr=False)
    choices: Mapping[str, Sequence[Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", str(self.kind)):
            raise ValueError(f"system {self.name!r}: kind {self.kind!r} is not a lower-case name (built-in kinds: "
                             f"{', '.join(KINDS)}; another needs a task that claims it)")
        if not self.description or "\n" in self.description:
            raise ValueError(f"system {self.name!r}: description must be one non-empty line")

    def resolve(self, **settings: Any) -> dict[str, Any]:
        """The full settings: defaults overridden by ``settings``, each coerced and checked.

        Raises:
            ValueError: an unknown setting (the message lists the known ones), a value that
                cannot be coerced to the setting's type, or a value outside its choices.
        """
        return resolve_settings(f"system {self.name!r}", self.defaults, self.choices, settings)

    def simulate(self, noise: float = 0.0, seed: int = 0, **settings: Any) -> xr.Dataset:
        """Generate the dataset.

        Args:
            noise: Gaussian noise as a fraction of the standard deviation of the field or target
                (0.01 = 1 %); see each system for what it is added to.
            seed: base seed; every random draw derives from it.
            **settings: overrides of :attr:`defaults`.

        Returns:
            A validated dataset whose ``attrs["settings"]`` records every setting, noise and seed.
        """
        noise = float(noise)
        if not np.isfinite(noise) or noise < 0:
            raise ValueError(f"noise must be a finite fraction >= 0 (0.01 = 1 %), got {noise}")
        if isinstance(seed, bool) or int(seed) != seed or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        run = Run(self.name, self.resolve(**settings), noise, int(seed))
        ds = self.generate(run)
        if ds.attrs.get("system") != self.name or ds.attrs.get("kind") != self.kind:
            raise ValueError(f"system {self.name!r} produced a dataset labelled "
                             f"{ds.attrs.get('system')!r} of kind {ds.attrs.get('kind')!r}")
        if dataset_settings(ds) != run.record:
            raise ValueError(f"system {self.name!r} did not record its settings (use run.record)")
        return validate_dataset(ds)


