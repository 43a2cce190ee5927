"""RMSProp (peql.fit.optim) against its two written definitions, step by step, in float64."""

import pytest
import torch

from peql.fit.optim import VARIANTS, RMSProp


@pytest.mark.parametrize("lr_as_tensor", [False, True])   # a 0-d tensor: the CUDA-graph path
@pytest.mark.parametrize("variant", ["tf", "torch"])
def test_rmsprop_follows_its_definition(variant, lr_as_tensor):
    cfg = VARIANTS[variant]
    gen = torch.Generator().manual_seed(0)
    params = [torch.randn(3, 4, 5, generator=gen, dtype=torch.float64, requires_grad=True),
              torch.randn(3, 2, generator=gen, dtype=torch.float64, requires_grad=True)]
    ref = [p.detach().clone() for p in params]
    ms = [torch.full_like(p, cfg["init"]) for p in ref]
    opt = RMSProp(params, variant)
    lr, d, eps = 1e-2, cfg["decay"], cfg["eps"]
    for _ in range(5):
        grads = [torch.randn(p.shape, generator=gen, dtype=torch.float64) for p in params]
        for p, g in zip(params, grads):
            p.grad = g.clone()
        opt.step(torch.tensor(lr, dtype=torch.float64) if lr_as_tensor else lr)
        for k, g in enumerate(grads):
            ms[k] = d * ms[k] + (1 - d) * g * g
            denom = torch.sqrt(ms[k] + eps) if cfg["eps_inside"] else torch.sqrt(ms[k]) + eps
            ref[k] = ref[k] - lr * g / denom
    for p, r in zip(params, ref):
        torch.testing.assert_close(p.detach(), r, rtol=1e-12, atol=1e-14)
    for m, r in zip(opt.ms, ms):
        torch.testing.assert_close(m, r, rtol=1e-12, atol=1e-14)
