"""The component registry: every primitive, architecture, encoder, baseline, system, derivative
method and task (kind of experiment), by kind and name, with the plugin that provided it."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator

KINDS = ("primitives", "architectures", "encoders", "baselines", "systems", "derivatives", "tasks")

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class RegistryError(Exception):
    """A component could not be registered or looked up."""


class DuplicateComponentError(RegistryError):
    """Two plugins registered a component of the same kind under one name."""


class UnknownComponentError(RegistryError, KeyError):
    """A name was looked up that no plugin registered."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


@dataclass(frozen=True)
class Provenance:
    """Where a registered component came from.

    Attributes:
        plugin: the plugin's name in the plugin manager (``peql.builtin``, a distribution's entry
            point name, or ``local:<file>`` for a file in the plugins folder).
        version: the providing distribution's version, or a content hash for a local file.
        path: the source file of a local plugin, else None.
    """

    plugin: str
    version: str
    path: str | None = None

    def describe(self) -> str:
        return f"{self.plugin} ({self.version})"


@dataclass(frozen=True)
class Entry:
    kind: str
    name: str
    component: Any
    provenance: Provenance


class Registry:
    """Components by kind and name. Filled by :func:`peql.plugins.load_registry`."""

    def __init__(self) -> None:
        self._entries: dict[str, dict[str, Entry]] = {kind: {} for kind in KINDS}
        self._validators: dict[str, Callable[[Any], None]] = {}

    def set_validator(self, kind: str, validator: Callable[[Any], None]) -> None:
        """Install a check that every component of ``kind`` must pass when registered."""
        self._check_kind(kind)
        self._validators[kind] = validator

    def add(self, kind: str, component: Any, provenance: Provenance) -> None:
        """Register ``component`` under its ``name``; refuse duplicates loudly."""
        self._check_kind(kind)
        name = getattr(component, "name", None)
        if not isinstance(name, str) or not _NAME.match(name):
            raise RegistryError(
                f"{provenance.describe()} registered a {kind[:-1]} with invalid name {name!r}: "
                "names are lower-case identifiers (letters, digits, underscores)"
            )
        validator = self._validators.get(kind)
        if validator is not None:
            try:
                validator(component)
            except (TypeError, ValueError) as exc:
                raise RegistryError(
                    f"{kind[:-1]} {name!r} from {provenance.describe()} is invalid: {exc}"
                ) from exc
        existing = self._entries[kind].get(name)
        if existing is not None:
            raise DuplicateComponentError(
                f"duplicate {kind[:-1]} {name!r}: provided by {existing.provenance.describe()} "
                f"and again by {provenance.describe()}; rename one of them"
            )
        self._entries[kind][name] = Entry(kind, name, component, provenance)

    def get(self, kind: str, name: str) -> Any:
        """The component of ``kind`` called ``name``; an unknown name lists the known ones."""
        return self.entry(kind, name).component

    def entry(self, kind: str, name: str) -> Entry:
        self._check_kind(kind)
        try:
            return self._entries[kind][name]
        except KeyError:
            known = sorted(self._entries[kind])
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise UnknownComponentError(
                f"unknown {kind[:-1]} {name!r}; registered: {', '.join(known) or 'none'}.{hint}"
            ) from None

    def names(self, kind: str) -> list[str]:
        self._check_kind(kind)
        return sorted(self._entries[kind])

    def entries(self, kind: str | None = None) -> Iterator[Entry]:
        for k in [kind] if kind else KINDS:
            self._check_kind(k)
            yield from (self._entries[k][n] for n in sorted(self._entries[k]))

    def __contains__(self, key: tuple[str, str]) -> bool:
        kind, name = key
        return name in self._entries.get(kind, {})

    @staticmethod
    def _check_kind(kind: str) -> None:
        if kind not in KINDS:
            raise RegistryError(f"unknown component kind {kind!r}; kinds: {', '.join(KINDS)}")
