"""The CUDA-graph training step (peql.fit.graphed) trains exactly as the eager step does.

Runs only where CUDA is present (the GPU machine); CI's CPU machine skips it.
"""

import pytest
import torch

from helpers import make_tx
from peql.fit.data import GroupedData
from peql.fit.models import build_network as build_model
from peql.fit.sampler import Sampler
from peql.fit.schedules import Schedule
from peql.fit.settings import FitSettings
from peql.fit.trainer import Trainer

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
STEPS = 200


def _train(registry, arch, graph: bool, poison_at: int | None = None):
    (x, y, t), *_ = make_tx(n_groups=8, n_per=32)
    settings = FitSettings(architecture=arch, trials=4, steps=STEPS, seed=3).resolved()
    data = GroupedData(x, y, t, ["x"], target=settings.target_normalisation, dtype=torch.float64,
                       device=torch.device("cuda"))
    _, model = build_model(registry, settings, data)
    model.double()
    spg, gpb = (8, None) if arch == "seql" else (8, 4)
    sampler = Sampler(data, 4, spg, gpb, model.gate_noise_shapes(), seed=3)
    schedule = Schedule("one_cycle", settings.lr, settings.rw, STEPS, sampler.steps_per_epoch)
    trainer = Trainer(model, data, max_restarts=2, cuda_graph=graph)
    assert (trainer.graphed is not None) == graph
    for step in range(STEPS):
        if step == poison_at:
            with torch.no_grad():
                next(model.parameters())[1].fill_(float("nan"))
        lr, rw = schedule(step)
        trainer.train_step(sampler.draw(step), lr, rw, step)
    trainer.sync(STEPS)
    return model, trainer


@pytest.mark.parametrize("arch", ["seql", "heql"])
def test_graphed_step_matches_eager(registry, arch):
    eager, _ = _train(registry, arch, graph=False)
    graphed, _ = _train(registry, arch, graph=True)
    for (name, a), b in zip(eager.named_parameters(), graphed.parameters()):
        torch.testing.assert_close(b, a, rtol=1e-7, atol=1e-9, msg=lambda m: f"{arch} {name}: {m}")


def test_graphed_step_isolates_a_diverging_trial(registry):
    clean, _ = _train(registry, "seql", graph=True)
    poisoned, trainer = _train(registry, "seql", graph=True, poison_at=50)
    for k in (0, 2, 3):
        for a, b in zip(clean.select_trials([k]).parameters(), poisoned.select_trials([k]).parameters()):
            assert torch.equal(a, b), "a healthy trial changed because another diverged"
    assert trainer.restarts.tolist() == [0, 1, 0, 0]
    assert all(torch.isfinite(p).all() for p in poisoned.parameters())
