"""Network specification: which primitives a symbolic layer holds, how many hidden layers,
skip connections, gating, regulariser. Parsed from plain dicts (config.yaml) with clear errors."""

from __future__ import annotations

from dataclasses import dataclass, field, asdict
from typing import Any, Mapping, Sequence

from .primitives import Primitive

#: The authors' code for the parametric paper: constant x2, identity x4, square x4, sin x2, product x2.
PAPER_UNITS = ("constant:2", "identity:4", "square:4", "sin:2", "product:2")
#: The earlier paper adds exp x2 and sigmoid x2.
EARLIER_PAPER_UNITS = ("constant:2", "identity:4", "square:4", "sin:2", "exp:2", "sigmoid:2", "product:2")


@dataclass(frozen=True)
class UnitGroup:
    """``count`` units of one primitive, with optional constant-parameter overrides."""

    name: str
    count: int
    params: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def parse(cls, item: Any) -> "UnitGroup":
        """Accept ``"sin:2"``, ``"sin"``, ``{"name": "sin", "count": 2, "params": {...}}``."""
        if isinstance(item, UnitGroup):
            return item
        if isinstance(item, str):
            name, _, count = item.partition(":")
            try:
                return cls(name.strip(), int(count) if count else 1)
            except ValueError:
                raise ValueError(f"bad unit group {item!r}: expected 'name' or 'name:count'") from None
        if isinstance(item, Mapping):
            unknown = set(item) - {"name", "count", "params"}
            if unknown or "name" not in item:
                raise ValueError(f"bad unit group {dict(item)!r}: keys are name, count, params")
            return cls(str(item["name"]), int(item.get("count", 1)), dict(item.get("params") or {}))
        raise ValueError(f"bad unit group {item!r}")


@dataclass(frozen=True)
class NetworkSpec:
    """The symbolic network shared by eql / seql / heql.

    Attributes:
        units: unit groups of every hidden layer, in order (binary primitives are moved last).
        hidden_layers: 2 as in the paper's text (the original code uses 3).
        skip: DenseNet-style skip connections (concatenate ``[f(g), h_prev]`` after every hidden
            layer but the last).
        gate_output: gate the output layer too, as the paper's "L+1 gate matrices" (the code leaves
            it ungated).
        regulariser: ``"l0"`` (hard-concrete gates), ``"l05"`` (smoothed L0.5 on the weights,
            the earlier paper) or ``"none"``.
        l05_a: transition point of the smoothed L0.5 (earlier paper 0.01, its code 0.05).
    """

    units: tuple[UnitGroup, ...] = tuple(UnitGroup.parse(u) for u in PAPER_UNITS)
    hidden_layers: int = 2
    skip: bool = True
    gate_output: bool = True
    regulariser: str = "l0"
    l05_a: float = 0.01

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> "NetworkSpec":
        data = dict(data or {})
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown network setting(s) {sorted(unknown)}; known: {sorted(known)}")
        if "units" in data:
            data["units"] = tuple(UnitGroup.parse(u) for u in data["units"])
        spec = cls(**data)
        if spec.hidden_layers < 1:
            raise ValueError("hidden_layers must be at least 1")
        if spec.regulariser not in ("l0", "l05", "none"):
            raise ValueError(f"regulariser must be 'l0', 'l05' or 'none', got {spec.regulariser!r}")
        if not spec.units or any(u.count < 1 for u in spec.units):
            raise ValueError("every unit group needs count >= 1")
        return spec

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["units"] = [{"name": u.name, "count": u.count, "params": dict(u.params)} for u in self.units]
        return d


@dataclass(frozen=True)
class Group:
    """One unit group resolved against the registry, with its column ranges in a layer."""

    primitive: Primitive
    params: Mapping[str, float]
    count: int
    pre: tuple[int, int]   # columns of g it consumes
    out: tuple[int, int]   # columns of f(g) it produces


@dataclass(frozen=True)
class LayerPlan:
    in_dim: int
    n_pre: int
    n_out: int
    groups: tuple[Group, ...]


def resolve_groups(units: Sequence[UnitGroup], primitives: Mapping[str, Primitive]) -> tuple[tuple[Group, ...], int, int]:
    """Column layout of one symbolic layer: unary groups first, then binary ones (pairs of
    consecutive columns), as in the original code. Returns (groups, n_pre, n_out)."""
    resolved = []
    for unit in units:
        if unit.name not in primitives:
            raise ValueError(
                f"unknown primitive {unit.name!r}; registered: {', '.join(sorted(primitives))}"
            )
        prim = primitives[unit.name]
        resolved.append((prim, prim.resolve(unit.params), unit.count))
    ordered = [r for r in resolved if r[0].arity == 1] + [r for r in resolved if r[0].arity == 2]
    groups, pre, out = [], 0, 0
    for prim, params, count in ordered:
        width = prim.arity * count
        groups.append(Group(prim, params, count, (pre, pre + width), (out, out + count)))
        pre += width
        out += count
    return tuple(groups), pre, out


def plan_layers(spec: NetworkSpec, n_inputs: int, primitives: Mapping[str, Primitive]) -> list[LayerPlan]:
    """Input width, pre-activation width and output width of each hidden layer."""
    groups, n_pre, n_out = resolve_groups(spec.units, primitives)
    plans, width = [], n_inputs
    for i in range(spec.hidden_layers):
        plans.append(LayerPlan(width, n_pre, n_out, groups))
        last = i == spec.hidden_layers - 1
        width = n_out + width if (spec.skip and not last) else n_out
    return plans
