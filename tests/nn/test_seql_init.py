"""SEQL's ``init`` option: independent slots (the original code) or one network per trial copied
to every slot (what a shared encoder needs to get a coherent gradient)."""

import pytest
import torch

from peql.nn.base import ModelContext
from peql.nn.spec import NetworkSpec
from peql.plugins import get_registry


def _seql(init=None, trials=3, groups=5, seed=0):
    registry = get_registry()
    prims = {n: registry.get("primitives", n) for n in registry.names("primitives")}
    spec = NetworkSpec.from_dict({"units": ["identity:2", "sin:1", "product:1"], "hidden_layers": 2})
    options = {} if init is None else {"init": init}
    ctx = ModelContext(n_trials=trials, input_names=["x", "y"], n_groups=groups, spec=spec,
                       primitives=prims, options=options, seed=seed)
    return registry.get("architectures", "seql").build(ctx)


def test_shared_init_gives_every_slot_of_a_trial_the_same_network_and_trials_different_ones():
    model = _seql("shared")
    for w in model.weights:
        assert torch.equal(w, w[:, :1].expand_as(w))        # slots equal within a trial
        assert not torch.equal(w[0], w[1])                   # trials drawn apart
        assert w.std() > 0
    # the slots are separate storage all the same: training can pull them apart
    with torch.no_grad():
        model.weights[0][:, 0] += 1.0
    assert not torch.equal(model.weights[0][:, 0], model.weights[0][:, 1])


def test_independent_init_is_the_default_and_draws_every_slot_apart():
    default, independent = _seql(), _seql("independent")
    # the draw the original makes, in the order it makes it: every result computed before the
    # option existed stays reproducible
    g = torch.Generator().manual_seed(0)
    expected = [0.1 * torch.randn(w.shape, generator=g) for w in default.weights[:-1]]
    expected.append(torch.rand(default.weights[-1].shape, generator=g))
    for a, b, e in zip(default.weights, independent.weights, expected):
        assert torch.equal(a, b) and torch.equal(a.detach(), e)
        assert not torch.equal(a[:, 0], a[:, 1])
    # hidden weights N(0, 0.1^2) and output weights U[0, 1) either way (the original's scales)
    big = [w.detach() for w in _seql("shared", trials=200).weights]
    assert abs(float(big[0][:, 0].std()) - 0.1) < 0.01
    out = big[-1][:, 0]
    assert 0 <= float(out.min()) and float(out.max()) < 1 and abs(float(out.mean()) - 0.5) < 0.05


def test_an_unknown_init_is_refused_by_name():
    with pytest.raises(ValueError, match="seql init must be 'independent' or 'shared', not 'same'"):
        _seql("same")
