"""The symbolic layer: ``g = h @ (W * z)``, then each primitive applied once to its whole group
of columns, and DenseNet-style skip connections. Shapes carry a leading trial axis ``T``, a
parameter-value axis ``P`` (1 when the weights do not depend on the parameter) and a sample axis.
"""

from __future__ import annotations

from typing import Sequence

import torch

from .spec import Group, LayerPlan


class _FusedActivation(torch.autograd.Function):
    """All groups of a layer as one autograd node: the forward writes each group's output into
    one tensor, the backward writes each group's input gradient into one tensor. PyTorch's own
    autograd would slice ``g`` per group and zero-fill a full-width gradient per slice."""

    @staticmethod
    def forward(ctx, g, groups, dim):
        shape = list(g.shape)
        shape[dim] = sum(grp.count for grp in groups)
        out = g.new_empty(shape)
        for grp in groups:
            out.narrow(dim, grp.out[0], grp.count).copy_(_apply(grp, _units(g, grp, dim), dim))
        ctx.groups, ctx.dim = groups, dim
        ctx.save_for_backward(g)
        return out

    @staticmethod
    def backward(ctx, grad_out):
        (g,) = ctx.saved_tensors
        dim = ctx.dim
        grad = torch.empty_like(g)
        for grp in ctx.groups:
            go = grad_out.narrow(dim, grp.out[0], grp.count)
            if grp.primitive.arity == 1:
                _units(grad, grp, dim).copy_(grp.primitive.torch_grad(go, _units(g, grp, dim), **grp.params)[0])
            else:
                pairs = _units(g, grp, dim).unflatten(dim, (grp.count, 2))
                ga, gb = grp.primitive.torch_grad(go, pairs.select(dim, 0), pairs.select(dim, 1), **grp.params)
                grad_pairs = _units(grad, grp, dim).unflatten(dim, (grp.count, 2))
                grad_pairs.select(dim, 0).copy_(ga)
                grad_pairs.select(dim, 1).copy_(gb)
        return grad, None, None


def _units(g: torch.Tensor, grp: Group, dim: int) -> torch.Tensor:
    """The pre-activation units of ``grp`` along the units axis ``dim``."""
    a, b = grp.pre
    return g.narrow(dim, a, b - a)


def _apply(grp: Group, cols: torch.Tensor, dim: int = -1) -> torch.Tensor:
    if grp.primitive.arity == 1:
        return grp.primitive.torch_fn(cols, **grp.params)
    pairs = cols.unflatten(dim, (grp.count, 2))   # a product unit reads two adjacent units
    return grp.primitive.torch_fn(pairs.select(dim, 0), pairs.select(dim, 1), **grp.params)


def activate(g: torch.Tensor, groups: Sequence[Group], dim: int = -1) -> torch.Tensor:
    """Apply every primitive group to its range of ``g`` along the units axis ``dim`` (-1 or -2):
    (..., n_pre) -> (..., n_out) for ``dim=-1``.

    One call per group, never per unit: all sine units are one ``torch.sin``. When every
    primitive supplies its derivative, the layer is one fused autograd node.
    """
    if dim not in (-1, -2):
        raise ValueError(f"the units axis is -1 or -2, not {dim}")
    if g.requires_grad and all(grp.primitive.torch_grad is not None for grp in groups):
        return _FusedActivation.apply(g, tuple(groups), dim)
    return torch.cat([_apply(grp, _units(g, grp, dim), dim) for grp in groups], dim=dim)


def unit_product(w: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """One layer's pre-activations, units first: ``w^T @ h`` with ``w`` (..., K, N) and ``h``
    (..., K, B) (K inputs, N units, B samples) -> (..., N, B).

    A layer fed by one input (K = 1) is an outer product and a one-unit output (N = 1) a
    weighted sum of rows; both run as broadcast products. As batched matrix products they are
    thousands of degenerate GEMM calls (one per trial and parameter value), several times slower
    than the broadcast, in the backward pass most of all.
    """
    if w.shape[-2] == 1:
        return w.transpose(-1, -2) * h
    if w.shape[-1] == 1:
        return (w * h).sum(-2, keepdim=True)
    return torch.matmul(w.transpose(-1, -2), h)


def forward_stack(x: torch.Tensor, hidden: Sequence[torch.Tensor], output: torch.Tensor,
                  plans: Sequence[LayerPlan], skip: bool) -> torch.Tensor:
    """Run the symbolic network.

    Args:
        x: inputs (T, P, B, d).
        hidden: effective (gated) weights per hidden layer, each (T, P or 1, in, n_pre).
        output: effective output weight (T, P or 1, n_last, 1).
        plans: the layer plans (column layout of every hidden layer).
        skip: concatenate ``[f(g), h]`` after every hidden layer but the last.

    Returns:
        predictions (T, P, B).
    """
    # Inside, units run along the second-to-last axis and samples along the last: a primitive
    # group is then one contiguous block of rows per (trial, parameter value), so its
    # elementwise passes, the activation's copies and the skip concatenation walk long runs of
    # memory instead of two or four floats of every sample's row.
    h = x.transpose(-1, -2)
    last = len(plans) - 1
    for i, (w, plan) in enumerate(zip(hidden, plans)):
        f = activate(unit_product(w, h), plan.groups, dim=-2)
        h = torch.cat([f, h], dim=-2) if (skip and i < last) else f
    return unit_product(output, h).squeeze(-2)
