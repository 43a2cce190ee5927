"""SEQL's neighbour smoothing: the hand-written gradient equals autograd's of the plain formula."""

import pytest
import torch

from peql.nn.smoothing import neighbour_penalty


def _plain(w, squared):
    d = (w[:, 1:] - w[:, :-1]).flatten(2)
    return d.pow(2).sum((1, 2)) if squared else torch.linalg.vector_norm(d, dim=2).sum(1)


@pytest.mark.parametrize("squared", [True, False])
def test_value_and_gradient_match_the_plain_formula(squared):
    w = torch.randn(3, 7, 4, 5, dtype=torch.float64, requires_grad=True)
    torch.testing.assert_close(neighbour_penalty(w, squared), _plain(w, squared))
    assert torch.autograd.gradcheck(lambda v: neighbour_penalty(v, squared), (w,))
    weights = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)   # per-trial upstream gradient
    (g_mine,) = torch.autograd.grad((neighbour_penalty(w, squared) * weights).sum(), w)
    (g_plain,) = torch.autograd.grad((_plain(w, squared) * weights).sum(), w)
    torch.testing.assert_close(g_mine, g_plain)


def test_equal_neighbours_give_a_zero_not_nan_gradient():
    w = torch.ones(2, 4, 3, dtype=torch.float64)
    w[:, 2] = 2.0                       # slots 0 = 1 (equal), 1 != 2, 2 != 3... mixed
    w.requires_grad_(True)
    (g,) = torch.autograd.grad(neighbour_penalty(w, squared=False).sum(), w)
    assert torch.isfinite(g).all()
    (g_plain,) = torch.autograd.grad(_plain(w, False).sum(), w)
    torch.testing.assert_close(g, g_plain)


def test_a_single_slot_has_no_penalty():
    w = torch.randn(2, 1, 3, requires_grad=True)
    assert torch.equal(neighbour_penalty(w), torch.zeros(2))
