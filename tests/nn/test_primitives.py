import math

import pytest
import torch

import peql
from peql.testing import check_primitive

from helpers import REPO


def _all_primitives():
    reg = peql.load_registry(REPO / "plugins", autoload=False)
    return [reg.get("primitives", n) for n in reg.names("primitives")]


@pytest.mark.parametrize("primitive", _all_primitives(), ids=lambda p: p.name)
def test_torch_and_sympy_forms_agree(primitive):
    check_primitive(primitive)


def test_check_primitive_catches_a_mismatch():
    wrong = peql.Primitive("wrong", 1, lambda g: g * g, lambda g: g**3)
    with pytest.raises(AssertionError, match="'wrong'"):
        check_primitive(wrong)


def test_paper_defaults_and_code_options(registry):
    sin = registry.get("primitives", "sin")
    prod = registry.get("primitives", "product")
    g = torch.tensor([0.1])
    assert torch.allclose(sin.torch(g), torch.sin(2 * math.pi * g))
    assert torch.allclose(sin.torch(g, frequency=4 * math.pi), torch.sin(4 * math.pi * g))
    assert torch.allclose(prod.torch(g, g, scale=10.0), 10 * g * g)
    exp = registry.get("primitives", "exp")
    assert torch.allclose(exp.torch(torch.tensor([0.0])), torch.tensor([0.0]))  # (e^0 - 1)/e
    with pytest.raises(ValueError, match="no parameter 'freq'"):
        sin.resolve({"freq": 1.0})


def test_fused_activation_matches_autograd(registry):
    from peql.nn.spec import UnitGroup, resolve_groups
    from peql.nn.symbolic import _apply, activate

    prims = {n: registry.get("primitives", n) for n in registry.names("primitives")}
    units = [UnitGroup.parse(u) for u in ("constant:2", "identity:2", "square:2", "sin:2", "exp:1", "sigmoid:1", "product:2")]
    groups, n_pre, _ = resolve_groups(units, prims)
    g = torch.randn(3, 4, 5, n_pre, dtype=torch.float64, requires_grad=True)
    upstream = torch.randn(3, 4, 5, sum(gr.count for gr in groups), dtype=torch.float64)
    fused = torch.autograd.grad(activate(g, groups), g, upstream)[0]
    plain = torch.autograd.grad(torch.cat([_apply(gr, g[..., gr.pre[0]:gr.pre[1]]) for gr in groups], -1), g, upstream)[0]
    torch.testing.assert_close(fused, plain)
