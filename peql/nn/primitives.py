"""Primitive functions: the activations of a symbolic layer, each with a torch and a SymPy form.

A primitive is applied once to its whole group of pre-activation columns, so its torch form must
be elementwise. Constant parameters (the sine's frequency, the product's scale) are keyword
arguments with defaults; a network spec may override them per layer, e.g.
``{"name": "sin", "count": 2, "params": {"frequency": 12.566}}``.

Where the paper and the authors' code disagree the paper is the default (see
``shared/reference/original-code-facts.md``): ``sin`` uses frequency 2*pi (code: 4*pi) and
``product`` scale 1 (code: 10).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import sympy
import torch


@dataclass(frozen=True)
class Primitive:
    """An activation of a symbolic layer.

    Attributes:
        name: registry name, used in network specs.
        arity: number of pre-activation columns one unit consumes (1 or 2).
        torch_fn: ``torch_fn(*g, **params) -> Tensor``, elementwise over tensors of one shape.
        sympy_fn: ``sympy_fn(*g, **params) -> sympy.Expr``, the same function symbolically.
        params: default constant parameters, overridable per network.
        description: one line for ``peql list``.
        torch_grad: optional ``torch_grad(grad_out, *g, **params) -> tuple`` of the gradients
            with respect to each input. When every primitive of a layer has one, the layer's
            activation runs as one fused autograd node (no per-group slicing in the backward
            pass); otherwise PyTorch's autograd differentiates ``torch_fn``.
    """

    name: str
    arity: int
    torch_fn: Callable[..., torch.Tensor]
    sympy_fn: Callable[..., Any]
    params: Mapping[str, float] = field(default_factory=dict)
    description: str = ""
    torch_grad: Callable[..., tuple] | None = None

    def __post_init__(self):
        if self.arity not in (1, 2):
            raise ValueError(f"arity must be 1 or 2, got {self.arity}")
        if not callable(self.torch_fn) or not callable(self.sympy_fn):
            raise TypeError("torch_fn and sympy_fn must be callable")

    def resolve(self, overrides: Mapping[str, float] | None = None) -> dict[str, float]:
        """Default params updated by ``overrides``; unknown names are an error."""
        merged = dict(self.params)
        for key, value in (overrides or {}).items():
            if key not in merged:
                raise ValueError(
                    f"primitive {self.name!r} has no parameter {key!r}; it has {sorted(merged) or 'none'}"
                )
            merged[key] = float(value)
        return merged

    def torch(self, *g: torch.Tensor, **params: float) -> torch.Tensor:
        return self.torch_fn(*g, **self.resolve(params))

    def sympy(self, *g: Any, **params: float) -> Any:
        return self.sympy_fn(*g, **self.resolve(params))


def _num(value: float):
    """A SymPy number for a constant: exact where it is a simple multiple of pi or e."""
    for base, sym in ((math.pi, sympy.pi), (math.e, sympy.E)):
        ratio = value / base
        if abs(ratio - round(ratio)) < 1e-12 and round(ratio) != 0:
            return int(round(ratio)) * sym
    return sympy.Float(value) if value != int(value) else sympy.Integer(int(value))


def _sigmoid_grad(g, steepness):
    s = torch.sigmoid(steepness * g)
    return steepness * s * (1 - s)


BUILTIN_PRIMITIVES = (
    Primitive(
        "constant", 1,
        lambda g: torch.ones_like(g),
        lambda g: sympy.Integer(1),
        description="1 (its input weight is unused; the only source of offsets)",
        torch_grad=lambda go, g: (torch.zeros_like(g),),
    ),
    Primitive("identity", 1, lambda g: g, lambda g: g, description="g", torch_grad=lambda go, g: (go,)),
    Primitive("square", 1, lambda g: g * g, lambda g: g**2, description="g^2",
              torch_grad=lambda go, g: (2 * g * go,)),
    Primitive(
        "sin", 1,
        lambda g, frequency: torch.sin(frequency * g),
        lambda g, frequency: sympy.sin(_num(frequency) * g),
        params={"frequency": 2 * math.pi},
        description="sin(frequency*g); paper 2*pi, original code 4*pi",
        torch_grad=lambda go, g, frequency: (frequency * torch.cos(frequency * g) * go,),
    ),
    Primitive(
        "product", 2,
        lambda a, b, scale: scale * a * b,
        lambda a, b, scale: _num(scale) * a * b,
        params={"scale": 1.0},
        description="scale*g1*g2; paper 1, original code 10",
        torch_grad=lambda go, a, b, scale: (scale * b * go, scale * a * go),
    ),
    Primitive(
        "exp", 1,
        lambda g, norm, offset: (torch.exp(g) - offset) / norm,
        lambda g, norm, offset: (sympy.exp(g) - _num(offset)) / _num(norm),
        params={"norm": math.e, "offset": 1.0},
        description="(e^g - offset)/norm; the earlier paper's code: (e^g - 1)/e",
        torch_grad=lambda go, g, norm, offset: (torch.exp(g) / norm * go,),
    ),
    Primitive(
        "sigmoid", 1,
        lambda g, steepness: torch.sigmoid(steepness * g),
        lambda g, steepness: 1 / (1 + sympy.exp(-_num(steepness) * g)),
        params={"steepness": 20.0},
        description="1/(1+e^(-steepness*g)), steepness 20",
        torch_grad=lambda go, g, steepness: (_sigmoid_grad(g, steepness) * go,),
    ),
)
