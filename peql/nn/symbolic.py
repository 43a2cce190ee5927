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
    def forward(ctx, g, groups):
        out = g.new_empty(*g.shape[:-1], sum(grp.count for grp in groups))
        for grp in groups:
            a, b = grp.pre
            out[..., grp.out[0]:grp.out[1]] = _apply(grp, g[..., a:b])
        ctx.groups = groups
        ctx.save_for_backward(g)
        return out

    @staticmethod
    def backward(ctx, grad_out):
        (g,) = ctx.saved_tensors
        grad = torch.empty_like(g)
        for grp in ctx.groups:
            a, b = grp.pre
            go = grad_out[..., grp.out[0]:grp.out[1]]
            if grp.primitive.arity == 1:
                grad[..., a:b] = grp.primitive.torch_grad(go, g[..., a:b], **grp.params)[0]
            else:
                pairs = g[..., a:b].unflatten(-1, (grp.count, 2))
                ga, gb = grp.primitive.torch_grad(go, pairs[..., 0], pairs[..., 1], **grp.params)
                grad[..., a:b] = torch.stack([ga, gb], dim=-1).flatten(-2)
        return grad, None


def _apply(grp: Group, cols: torch.Tensor) -> torch.Tensor:
    if grp.primitive.arity == 1:
        return grp.primitive.torch_fn(cols, **grp.params)
    pairs = cols.unflatten(-1, (grp.count, 2))
    return grp.primitive.torch_fn(pairs[..., 0], pairs[..., 1], **grp.params)


def activate(g: torch.Tensor, groups: Sequence[Group]) -> torch.Tensor:
    """Apply every primitive group to its column range of ``g`` (..., n_pre) -> (..., n_out).

    One call per group, never per unit: all sine units are one ``torch.sin``. When every
    primitive supplies its derivative, the layer is one fused autograd node.
    """
    if g.requires_grad and all(grp.primitive.torch_grad is not None for grp in groups):
        return _FusedActivation.apply(g, tuple(groups))
    outs = []
    for grp in groups:
        a, b = grp.pre
        cols = g[..., a:b]
        if grp.primitive.arity == 1:
            outs.append(grp.primitive.torch_fn(cols, **grp.params))
        else:
            pairs = cols.unflatten(-1, (grp.count, 2))
            outs.append(grp.primitive.torch_fn(pairs[..., 0], pairs[..., 1], **grp.params))
    return torch.cat(outs, dim=-1)


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
    h = x
    last = len(plans) - 1
    for i, (w, plan) in enumerate(zip(hidden, plans)):
        f = activate(torch.matmul(h, w), plan.groups)
        h = torch.cat([f, h], dim=-1) if (skip and i < last) else f
    return torch.matmul(h, output).squeeze(-1)
