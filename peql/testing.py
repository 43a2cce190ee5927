"""Checks that plugin authors reuse in their own test suites.

    from peql.testing import check_primitive
    def test_my_primitive():
        check_primitive(MY_PRIMITIVE)
"""

from __future__ import annotations

import numpy as np
import sympy
import torch

from .nn.primitives import Primitive


def check_primitive(primitive: Primitive, n: int = 257, low: float = -2.0, high: float = 2.0,
                    rtol: float = 1e-6, atol: float = 1e-9, seed: int = 0) -> None:
    """Assert that a primitive's torch and SymPy forms agree numerically (float64) at ``n``
    random points in [low, high]^arity, and that the torch form is elementwise.

    Raises:
        AssertionError: naming the primitive and the worst point.
    """
    rng = np.random.default_rng(seed)
    pts = rng.uniform(low, high, size=(primitive.arity, n))
    params = primitive.resolve()
    got = primitive.torch_fn(*[torch.as_tensor(p, dtype=torch.float64) for p in pts], **params)
    got = got.detach().numpy() if isinstance(got, torch.Tensor) else np.asarray(got)
    assert got.shape == (n,), f"{primitive.name}: torch form is not elementwise (shape {got.shape})"
    syms = sympy.symbols(f"g0:{primitive.arity}")
    fn = sympy.lambdify(syms, primitive.sympy_fn(*syms, **params), modules="numpy")
    want = np.broadcast_to(np.asarray(fn(*pts), dtype=float), (n,))
    bad = ~np.isclose(got, want, rtol=rtol, atol=atol)
    if bad.any():
        i = int(np.argmax(np.abs(got - want)))
        at = ", ".join(f"{v:.4g}" for v in pts[:, i])
        raise AssertionError(
            f"primitive {primitive.name!r}: its torch and SymPy forms disagree: {float(got[i]):.6g} against "
            f"{float(want[i]):.6g} at g = ({at}); {int(bad.sum())} of {n} points differ"
        )
    if primitive.torch_grad is not None:
        _check_gradient(primitive, pts, params, rtol, atol)


def _check_gradient(primitive: Primitive, pts: np.ndarray, params: dict, rtol: float, atol: float) -> None:
    """The hand-written ``torch_grad`` must equal autograd's derivative of ``torch_fn``."""
    inputs = [torch.as_tensor(p, dtype=torch.float64).requires_grad_(True) for p in pts]
    upstream = torch.as_tensor(np.random.default_rng(1).normal(size=pts.shape[1]), dtype=torch.float64)
    out = primitive.torch_fn(*inputs, **params)
    if out.requires_grad:
        want = torch.autograd.grad(out, inputs, upstream, allow_unused=True, materialize_grads=True)
    else:  # a function that ignores its input (the constant)
        want = [torch.zeros_like(i) for i in inputs]
    got = primitive.torch_grad(upstream, *[i.detach() for i in inputs], **params)
    for k, (g, w) in enumerate(zip(got, want)):
        if not torch.allclose(g, w, rtol=rtol, atol=atol):
            raise AssertionError(f"primitive {primitive.name!r}: torch_grad differs from autograd for input {k}")
