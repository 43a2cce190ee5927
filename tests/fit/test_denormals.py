"""Training flushes denormals and hands the caller's mode back: a fit must not change what the
rest of the process computes. The bug it guards against: after one fit, a float32 input with
denormal values (the tails of the spring images' Gaussian spots) was cast to float64 with flushing
still on, hashed to another data fingerprint, and reloading the finished run in the same process
failed with "written for other settings or data"."""

import numpy as np
import torch

from peql.fit import FitSettings, fit
from peql.fit.denormals import flushing, flushing_denormals


def test_the_block_flushes_and_restores_either_mode():
    assert not flushing()
    with flushing_denormals():
        assert flushing()
    assert not flushing()
    torch.set_flush_denormal(True)   # a caller that flushes keeps flushing
    try:
        with flushing_denormals():
            assert flushing()
        assert flushing()
    finally:
        torch.set_flush_denormal(False)
    assert not flushing()


def test_a_finished_run_reloads_in_the_process_that_fitted_it(tmp_path, registry):
    rng = np.random.default_rng(0)
    t = np.repeat(np.linspace(-1.0, 1.0, 4), 32)
    x = rng.uniform(-1, 1, (len(t), 1)).astype(np.float32)
    x[::7, 0] = 1e-40                 # float32 denormals, which flushing would read as 0
    y = (t * x[:, 0]).astype(np.float64)
    settings = FitSettings(architecture="eql", trials=1, steps=20, device="cpu")
    first = fit(x, y, t, ["x"], "t", settings, run_dir=tmp_path, registry=registry, progress=False)
    assert not flushing()
    again = fit(x, y, t, ["x"], "t", settings, run_dir=tmp_path, registry=registry, progress=False)   # loads, no training
    assert again.resumed_from == 20
    for a, b in zip(first.model.state_dict().values(), again.model.state_dict().values()):
        torch.testing.assert_close(a, b)
