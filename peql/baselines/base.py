"""The ``Baseline`` component: a non-network method that reads the canonical features and writes
``equations.json`` in the same contract as the networks (DESIGN section 6).

A baseline is a name, a one-line description, its settings with their defaults, and a ``fit``
function that returns a :class:`BaselineFit` (coefficients of library terms per parameter value).
:meth:`Baseline.run` checks the inputs and settings, times the fit and turns the result into the
equations document, so every baseline (built-in or from a plugin) writes the same shape::

    import peql
    from peql.baselines import Baseline, BaselineFit

    def _fit(x, y, param, input_names, param_name, settings):
        ...
        return BaselineFit(terms=["u", "u_x"], param_values=values, coefficients=table)

    @peql.hookimpl
    def register_baselines(register):
        register(Baseline("my_method", "what it does", {"threshold": 0.1}, _fit))
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np
from ..coerce import resolve_settings
from .document import BaselineFit

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


FitFunction = Callable[[np.ndarray, np.ndarray, np.ndarray, Sequence[str], str, Mapping[str, Any]],
                       BaselineFit]


@dataclass(frozen=True)
class Baseline:
    """A non-network method registered through ``register_baselines``.

    Attributes:
        name: lower-case identifier used in config files and result paths.
        description: one line, shown by ``peql list``.
        defaults: every setting the method accepts, with its default; a value given as text (on
            the command line) is coerced to the default's type.
        fit: ``fit(x, y, param, input_names, param_name, settings) -> BaselineFit``.
        choices: for settings limited to a few values, the allowed values.
        check: optional ``check(settings)`` that raises ValueError on a bad combination of values
            and returns the (normalised) settings.
        setup: optional ``setup()`` run before the timed fit (imports an optional dependency, so
            that a missing one fails before any work and its import time is not counted).
    """

    name: str
    description: str
    defaults: Mapping[str, Any]
    fit: FitFunction = field(repr=False)
    choices: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    check: Callable[[dict[str, Any]], dict[str, Any]] | None = field(default=None, repr=False)
    setup: Callable[[], Any] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.description or "\n" in self.description:
            raise ValueError(f"baseline {self.name!r}: description must be one non-empty line")
        unknown = sorted(set(self.choices) - set(self.defaults))
        if unknown:
            raise ValueError(f"baseline {self.name!r}: choices given for unknown setting(s) {unknown}")

    def resolve(self, **settings: Any) -> dict[str, Any]:
        """The full settings: defaults overridden by ``settings``, each coerced and checked.

        Raises:
            ValueError: an unknown setting (the message lists the known ones), a value that cannot
                be coerced to the setting's type, or a value outside its choices.
        """
        resolved = resolve_settings(f"baseline {self.name!r}", self.defaults, self.choices, settings)
        return self.check(resolved) if self.check is not None else resolved

    def run(self, x: np.ndarray, y: np.ndarray, param: np.ndarray, input_names: Sequence[str],
            param_name: str, **settings: Any) -> dict[str, Any]:
        """Fit the method and return its ``equations.json`` document.

        Args:
            x: (n, d) inputs.  y: (n,) target.  param: (n,) parameter value of every row.
            input_names: the d input names (identifiers; the symbols of the expressions).
            param_name: the parameter's symbol (``"t"``, ``"x"``).
            **settings: overrides of :attr:`defaults`.

        Returns:
            The document of DESIGN section 6 (see :func:`peql.baselines.document.equations_document`).

        Raises:
            ValueError: bad settings, or inputs of the wrong shape, with NaN/inf, or with names
                that are not identifiers.
            ImportError: an optional dependency is missing (the message says what to install).
        """
        from .document import equations_document

        resolved = self.resolve(**settings)
        x, y, param, names = check_inputs(x, y, param, input_names, param_name)
        if self.setup is not None:
            self.setup()
        start = time.perf_counter()
        result = self.fit(x, y, param, names, param_name, resolved)
        wall = time.perf_counter() - start
        return equations_document(result, name=self.name, input_names=names, param_name=param_name,
                                  settings=resolved, wall_time_s=wall)


def check_inputs(x, y, param, input_names, param_name):
    """Validate and convert the arrays a baseline reads; errors name the bad input."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    param = np.asarray(param, dtype=np.float64)
    names = [str(n) for n in input_names]
    if x.ndim != 2:
        raise ValueError(f"inputs x must be 2-D (samples, features), got shape {x.shape}")
    if y.shape != (x.shape[0],) or param.shape != (x.shape[0],):
        raise ValueError(f"target y {y.shape} and param {param.shape} must both have shape "
                         f"({x.shape[0]},), one value per row of x")
    if len(names) != x.shape[1]:
        raise ValueError(f"{len(names)} input names {names} for {x.shape[1]} input columns")
    bad = [n for n in [*names, param_name] if not _IDENT.match(n)]
    if bad:
        raise ValueError(f"input/parameter names must be identifiers, got {bad}")
    if param_name in names:
        raise ValueError(f"parameter name {param_name!r} clashes with an input name {names}")
    for label, arr in (("inputs x", x), ("target y", y), ("param", param)):
        if not np.isfinite(arr).all():
            raise ValueError(f"{label} holds {int(np.size(arr) - np.isfinite(arr).sum())} NaN/inf value(s)")
    if x.shape[0] == 0:
        raise ValueError("no samples to fit")
    return x, y, param, names


def require_pysindy():
    """Import pysindy, or raise an ImportError that says how to install it."""
    try:
        import pysindy
    except ImportError as exc:
        raise ImportError("this baseline needs PySINDy, which is not installed: "
                          "pip install pysindy (or pip install peql[baselines])") from exc
    return pysindy
