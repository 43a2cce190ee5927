"""Example local plugin: two extra primitives for symbolic layers.

Use them in a network spec, e.g. ``network: {units: ["constant:2", "identity:4", "cube:2",
"gaussian:2"]}``. The gaussian's width is a constant parameter a spec may override:
``{"name": "gaussian", "count": 2, "params": {"width": 0.5}}``.
"""

import sympy
import torch

import peql


@peql.hookimpl
def register_primitives(register):
    register(peql.Primitive(
        name="cube", arity=1,
        torch_fn=lambda g: g * g * g,
        sympy_fn=lambda g: g**3,
        description="g^3 (example plugin)",
    ))
    register(peql.Primitive(
        name="gaussian", arity=1,
        torch_fn=lambda g, width: torch.exp(-(g / width) ** 2),
        sympy_fn=lambda g, width: sympy.exp(-(g / width) ** 2),
        params={"width": 1.0},
        description="exp(-(g/width)^2) (example plugin)",
    ))
