"""Trials batched in one tensor program behave exactly as trials trained alone."""

import pytest
import torch

from helpers import make_tx
from peql.fit.data import GroupedData
from peql.fit.models import build_network as build_model
from peql.fit.sampler import Sampler
from peql.fit.schedules import Schedule
from peql.fit.settings import FitSettings
from peql.fit.trainer import Trainer

STEPS = 200


def _setup(registry, arch, trials=4):
    (x, y, t), *_ = make_tx(n_groups=8, n_per=32)
    settings = FitSettings(architecture=arch, trials=trials, steps=STEPS, seed=3).resolved()
    # float64 so that summation-order differences of batched kernels stay far below tolerance
    data = GroupedData(x, y, t, ["x"], target=settings.target_normalisation, dtype=torch.float64)
    _, model = build_model(registry, settings, data)
    model.double()
    spg, gpb = (8, None) if arch == "seql" else (8, 4)
    sampler = Sampler(data, trials, spg, gpb, model.gate_noise_shapes(), seed=3)
    schedule = Schedule("one_cycle", settings.lr, settings.rw, STEPS, sampler.steps_per_epoch)
    return data, model, sampler, schedule


@pytest.mark.parametrize("arch", ["seql", "heql", "eql", "mlp"])
def test_batched_equals_alone(registry, arch):
    data, model, sampler, schedule = _setup(registry, arch)
    alone = [Trainer(model.select_trials([k]), data) for k in range(model.n_trials)]
    batched = Trainer(model, data)
    for step in range(STEPS):
        lr, rw = schedule(step)
        draw = sampler.draw(step)
        batched.train_step(draw, lr, rw, step)
        for k, tr in enumerate(alone):
            tr.train_step(draw.select([k]), lr, rw, step)
    for k, tr in enumerate(alone):
        for (name, p_batched), p_alone in zip(model.select_trials([k]).named_parameters(), tr.model.parameters()):
            torch.testing.assert_close(p_batched, p_alone, rtol=1e-7, atol=1e-9, msg=f"{arch} trial {k} {name}")
    # and the trials really differ from each other (independent initialisation)
    first = [p for p in model.parameters()][0]
    assert not torch.allclose(first[0], first[1])


def test_nan_trial_is_isolated_and_reported(registry):
    runs = []
    for poison in (False, True):
        data, model, sampler, schedule = _setup(registry, "seql")
        tr = Trainer(model, data, max_restarts=2)
        for step in range(STEPS):
            if poison and step == 50:
                with torch.no_grad():
                    model.weights[0][1].fill_(float("nan"))
            lr, rw = schedule(step)
            tr.train_step(sampler.draw(step), lr, rw, step)
        runs.append((model, tr))
    (clean, _), (poisoned, tr) = runs
    for k in (0, 2, 3):
        for a, b in zip(clean.select_trials([k]).parameters(), poisoned.select_trials([k]).parameters()):
            assert torch.equal(a, b), "a healthy trial changed because another diverged"
    assert tr.restarts.tolist() == [0, 1, 0, 0]
    assert all(torch.isfinite(p).all() for p in poisoned.parameters())
