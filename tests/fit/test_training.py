"""Training engine: schedules, the three-phase freeze, resume after SIGKILL, NaN isolation in a
real fit."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from helpers import make_tx
from peql.fit import FitSettings, fit
from peql.fit import checkpoint as ckpt
from peql.fit import trainer as trainer_module
from peql.fit.schedules import PhasedSchedule, Schedule, make_schedule, one_cycle_lr, one_cycle_rw


def test_one_cycle_shapes_at_documented_points():
    # 1201 epochs (the original's SEQL): lr peaks at 4.996*base at epoch 500, the final phase
    # starts at epoch 1001; the regularisation weight is 3.60*base at epoch 950
    s = Schedule("one_cycle", 1.0, 1.0, total_steps=1201 * 32, steps_per_epoch=32)
    assert s(0) == pytest.approx((0.05, 0.0))
    assert s(500 * 32)[0] == pytest.approx(4.996, abs=1e-3)
    assert s(950 * 32)[1] == pytest.approx(3.60, abs=0.01)
    assert s(1000 * 32 + 31)[0] > 1e-3 and s(1001 * 32) == pytest.approx((1e-4, 1.0))
    assert one_cycle_lr(5 / 12) == pytest.approx(5.0)
    assert one_cycle_rw(0.95 * 5 / 6) == pytest.approx(3.61, abs=1e-9)
    assert s(17)[0] == s(0)[0]  # constant within an epoch


def test_three_phase_schedule_and_frozen_weights_stay_zero(registry):
    sched = PhasedSchedule(1e-2, 5e-3, total_steps=2200)
    assert sched(0) == pytest.approx((0.1, 5e-3))                       # warm-up at 10x
    assert sched(sched.bounds[0]) == pytest.approx((1e-2, 5e-3))        # regularise
    assert sched(sched.freeze_step) == pytest.approx((1e-3, 0.0))       # fine-tune, MSE only
    (x, y, t), *_ = make_tx(n_groups=4, n_per=64)
    settings = FitSettings(architecture="eql", trials=3, steps=600, schedule="three_phase",
                           network={"regulariser": "l05", "skip": False, "units": ["constant:1", "identity:2", "square:2", "product:1"]})
    result = fit(x, y, t, ["x"], "t", settings, registry=registry, progress=False)
    assert not result.model.training          # handed back in evaluation mode (batch-norm encoders)
    masks = result.model.masks
    assert masks is not None and any((m == 0).any() for m in masks)
    for w, m in zip(result.model.effective_weights(), masks):
        assert torch.all(w[m == 0] == 0)
    # one trial taken out (what the read-out does) keeps its own masks, not the first trial's
    assert not all(torch.equal(m[1], m[2]) for m in masks)
    for k in range(3):
        alone = result.model.select_trials([k]).effective_weights()
        for a, b in zip(alone, result.model.effective_weights()):
            assert torch.equal(a[0], b[k])


def test_custom_phases_split_the_steps_and_freeze_before_the_last():
    # the dynamics scripts: no warm-up, regularise, then freeze and fine-tune at a tenth
    sched = PhasedSchedule(1e-2, 1e-3, total_steps=1000, freeze_threshold=0.1, phases=[[5001, 1, 1], [5001, 0.1, 0]])
    assert sched.bounds == [500, 1000] and sched.freeze_step == 500
    assert sched(0) == pytest.approx((1e-2, 1e-3)) and sched(499) == pytest.approx((1e-2, 1e-3))
    assert sched(500) == pytest.approx((1e-3, 0.0)) and sched(999) == pytest.approx((1e-3, 0.0))
    three = PhasedSchedule(1e-2, 2e-4, total_steps=12003, phases=[[2001, 1, 0.2], [5001, 0.2, 1], [5001, 0.1, 0]])
    assert three.bounds == [2001, 7002, 12003] and three(2000) == pytest.approx((1e-2, 4e-5))
    assert three(2001) == pytest.approx((2e-3, 2e-4))
    with pytest.raises(ValueError, match="at least two"):
        PhasedSchedule(1e-2, 1e-3, 100, phases=[[1, 1, 1]])
    with pytest.raises(ValueError, match="three_phase"):
        make_schedule("constant", 1e-2, 1e-3, 100, 10, phases=[[1, 1, 1], [1, 0.1, 0]])


def _run_fit(run_dir, data, steps, env_extra=None, kill_after_checkpoint=False):
    code = f"""
import numpy as np, torch
torch.set_num_threads(1)
from peql import get_registry
from peql.fit import FitSettings, fit
d = np.load({str(data)!r})
s = FitSettings(architecture="seql", trials=3, steps={steps}, seed=5, checkpoint_every_s=0.05, log_every=10)
fit(d["x"], d["y"], d["t"], ["x"], "t", s, run_dir={str(run_dir)!r}, registry=get_registry(), progress=False)
"""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PEQL_DISABLE_PLUGIN_AUTOLOAD": "1"}
    proc = subprocess.Popen([sys.executable, "-c", code], env=env)
    if kill_after_checkpoint:
        path = run_dir / "checkpoint.pt"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if path.exists() and 0 < ckpt.load(path)["step"] < steps // 2:
                break
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        return ckpt.load(path)["step"]
    assert proc.wait() == 0


def test_resume_after_sigkill_equals_uninterrupted(tmp_path):
    (x, y, t), *_ = make_tx(n_groups=8, n_per=32)
    data = tmp_path / "d.npz"
    np.savez(data, x=x, y=y, t=t)
    steps = 1500
    _run_fit(tmp_path / "straight", data, steps)
    killed_at = _run_fit(tmp_path / "killed", data, steps, kill_after_checkpoint=True)
    assert 0 < killed_at < steps
    _run_fit(tmp_path / "killed", data, steps)          # resumes
    a = ckpt.load(tmp_path / "straight/checkpoint.pt")
    b = ckpt.load(tmp_path / "killed/checkpoint.pt")
    assert a["complete"] and b["complete"]
    for key, value in a["trainer"]["model"].items():
        assert torch.equal(value, b["trainer"]["model"][key]), key


def test_nan_in_a_real_fit_is_isolated(registry, monkeypatch):
    (x, y, t), *_ = make_tx(n_groups=8, n_per=32)
    settings = FitSettings(architecture="seql", trials=3, steps=300, seed=2)
    clean = fit(x, y, t, ["x"], "t", settings, registry=registry, progress=False)

    original = trainer_module.Trainer.train_step

    def poisoned(self, draw, lr, rw, step=0):
        if step == 100:
            with torch.no_grad():
                self.model.weights[0][1].fill_(float("nan"))
        return original(self, draw, lr, rw, step)

    monkeypatch.setattr(trainer_module.Trainer, "train_step", poisoned)
    hit = fit(x, y, t, ["x"], "t", settings, registry=registry, progress=False)
    assert hit.restarts == [0, 1, 0]
    for k in (0, 2):
        for a, b in zip(clean.model.select_trials([k]).parameters(), hit.model.select_trials([k]).parameters()):
            assert torch.equal(a, b)
    assert all(torch.isfinite(p).all() for p in hit.model.parameters())
