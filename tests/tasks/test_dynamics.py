"""The recurrent cell behind a dynamics encoder (eql-integration section 4.3): curriculum,
trial-batched rollouts, the judging of update equations, and the read-out chain."""

import json

import numpy as np
import pytest
import torch

from peql.tasks.cells import equation_rollout, judge_cell, one_step_pairs, split_errors
from peql.fit.sequences import SequenceData, horizon_at
from peql.nn.base import ModelContext
from peql.nn.encoders import series1d
from peql.nn.eql import EQLNet
from peql.nn.mlp import MLPNet
from peql.nn.primitives import BUILTIN_PRIMITIVES
from peql.nn.recurrent import DynamicsModel
from peql.nn.spec import NetworkSpec
from peql.plugins import get_registry


def _model(T=3, steps_in=12, heads="eql", residual=False):
    spec = NetworkSpec.from_dict({"hidden_layers": 1, "units": ["constant:1", "identity:2", "product:1"]})
    prims = {p.name: p for p in BUILTIN_PRIMITIVES}
    ctx = lambda seed: ModelContext(n_trials=T, input_names=["u", "v"], param_name="z", spec=spec,
                                    primitives=prims, seed=seed)
    build = EQLNet if heads == "eql" else MLPNet
    enc = series1d(T, (2, steps_in), {})
    enc.reset_parameters(torch.Generator().manual_seed(0))
    return DynamicsModel(enc, [build(ctx(1)), build(ctx(2))], residual)


@pytest.fixture(scope="module")
def kinematics():
    return get_registry().get("systems", "kinematics").simulate(seed=3, n_train=40, n_val=20, n_test=20,
                                                                steps_in=12, steps_out=8)


def test_curriculum_steps_through_its_lengths_and_names_bad_schedules():
    sched = [[0, 1], [100, 3], [250, 5]]
    assert [horizon_at(sched, s, 8) for s in (0, 99, 100, 249, 250, 10_000)] == [1, 1, 3, 3, 5, 5]
    assert horizon_at(None, 7, 8) == 8
    with pytest.raises(ValueError, match="start it at step 0"):
        horizon_at([[10, 2]], 0, 8)
    with pytest.raises(ValueError, match="outside 1..8"):
        horizon_at([[0, 9]], 0, 8)


def test_sequence_batches_follow_the_horizon(kinematics):
    from peql.data import sequence_arrays

    enc, traj, p = sequence_arrays(kinematics, "train")
    data = SequenceData(enc, traj, p, ["u", "v"], "a")
    assert data.x.shape == (40, 2, 12) and float(data.x.abs().max()) == pytest.approx(1.0)
    data.horizon = 3
    idx = torch.tensor([[[0, 5]]])
    (series, initial, horizon), target = data.batch(idx)
    assert series.shape == (1, 1, 2, 2, 12) and horizon == 3
    assert torch.equal(initial[0, 0], data.y[[0, 5], 0, :])
    assert torch.equal(target[0, 0], data.y[[0, 5], 1:4, :])


@pytest.mark.parametrize("heads", ["eql", "mlp"])
def test_trials_roll_out_independently_with_shared_weights_across_steps(heads):
    torch.manual_seed(0)
    model = _model(heads=heads)
    series, y0 = torch.randn(4, 2, 12), torch.randn(4, 2)
    x = (series.expand(3, 1, *series.shape), y0.expand(3, 1, *y0.shape), 4)
    pred, penalty = model(x)
    assert pred.shape == (3, 1, 4, 4, 2) and penalty.shape == (3,)
    # step k+1 is the cell applied to step k: one set of weights for every step
    z = model.latents(series.expand(3, *series.shape))
    again, _ = model.step(pred[:, 0, :, 1, :], z)
    assert torch.allclose(again, pred[:, 0, :, 2, :], atol=1e-6)
    # a trial alone predicts what it predicted in the batch
    one = model.select_trials([1])
    alone, _ = one((series.expand(1, 1, *series.shape), y0.expand(1, 1, *y0.shape), 4))
    assert torch.allclose(alone[0], pred[1], atol=1e-5)
    # and a loss on one trial moves only that trial's weights
    pred[0].pow(2).sum().backward()
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    assert grads and all(float(g[1:].abs().sum()) == 0.0 for g in grads)


def test_a_residual_cell_adds_its_heads_prediction_to_the_state():
    plain = _model()
    residual = DynamicsModel(plain.encoder, list(plain.heads), residual=True)
    state, z = torch.randn(3, 5, 2), torch.randn(3, 5)
    change, _ = plain.step(state, z)
    nxt, _ = residual.step(state, z)
    torch.testing.assert_close(nxt, state + change)


def test_freeze_masks_round_trip_through_the_heads():
    model = _model()
    frozen = model.freeze_small_weights(0.3)
    assert frozen > 0
    masks = model.masks
    assert len(masks) == sum(len(h.weights) for h in model.heads)
    sub = model.select_trials([2, 0])
    assert torch.equal(sub.heads[1].masks[0], model.heads[1].masks[0][[2, 0]])
    for h in model.heads:
        for w, m in zip(h.effective_weights(), h.masks):
            assert torch.all(w[m == 0] == 0)


def test_the_true_update_is_judged_right_and_eulers_step_wrong(kinematics):
    from peql.data import sequence_arrays

    _, traj, p = sequence_arrays(kinematics, "train")
    truth = json.loads(kinematics.attrs["true_update"])
    right = judge_cell(truth, kinematics, traj, p, 5)
    assert right["correct"] and right["coef_rel_error_max_pct"] == pytest.approx(0.0, abs=1e-9)
    # Euler's step lacks a dt^2 / 2 in u: the rule must see the missing term
    euler = judge_cell(json.loads(kinematics.attrs["euler_update"]), kinematics, traj, p, 5)
    assert not euler["correct"] and euler["states"]["u"]["missing"] == ["a"] and euler["states"]["v"]["correct"]
    # a 3 % error on one coefficient is reported as such
    off = {**truth, "u": "u + 1.0*v + 0.515*a"}
    verdict = judge_cell(off, kinematics, traj, p, 5)
    assert verdict["correct"] and verdict["coef_rel_error_max_pct"] == pytest.approx(3.0, rel=1e-6)


def test_sho_truth_judges_the_euler_terms_significant():
    ds = get_registry().get("systems", "sho").simulate(seed=1, n_train=50, n_val=10, n_test=10, steps_in=20,
                                                       steps_out=10)
    from peql.data import sequence_arrays

    _, traj, p = sequence_arrays(ds, "train")
    euler = judge_cell(json.loads(ds.attrs["euler_update"]), ds, traj, p, 10)
    # at dt = 0.1 the second-order terms are below the 1 % significance: Euler's terms are the structure
    assert euler["correct"], euler["states"]
    assert euler["states"]["v"]["truth"] == ["omega2*u", "v"]


def test_iterating_the_true_update_reproduces_the_trajectories(kinematics):
    from peql.data import sequence_arrays

    _, traj, p = sequence_arrays(kinematics, "test")
    pred = equation_rollout(json.loads(kinematics.attrs["true_update"]), ["u", "v"], "a", traj, p)
    assert np.max(np.abs(pred - traj[:, 1:])) < 1e-9
    errors = split_errors(pred, traj[:, 1:], 3)
    assert errors["rollout_mse_in"] < 1e-18 and errors["rollout_mse_out"] < 1e-18
    X, Y = one_step_pairs(traj, 3, p)
    assert X.shape == (20 * 3, 3) and np.allclose(X[1, :2], traj[0, 1]) and np.allclose(Y[1], traj[0, 2])


def _cell_settings(steps, trials=2, **kw):
    from peql.fit.settings import FitSettings

    return FitSettings(architecture="eql", trials=trials, steps=steps, lr=1e-2, rw=3e-3, schedule="constant",
                       samples_per_group="all", groups_per_batch="all", target_normalisation="none",
                       encoder="series1d", device="cpu", options={"init_std": 0.5},
                       network={"hidden_layers": 1, "regulariser": "l0", "skip": False,
                                "units": ["constant:1", "identity:3", "product:1"]},
                       horizon=[[0, 1], [steps * 2 // 5, 3]], **kw)


def test_a_run_killed_across_a_curriculum_switch_resumes_to_the_same_weights(kinematics, tmp_path, monkeypatch):
    from peql.fit import checkpoint as ckpt
    from peql.fit import trainer as trainer_module
    from peql.pipeline import fit_dataset

    settings = _cell_settings(50, checkpoint_every_s=0.0)   # a checkpoint after every step
    fit_dataset(kinematics, tmp_path / "straight", settings, progress=False)
    original = trainer_module.Trainer.train_step

    def dies(self, draw, lr, rw, step=0):
        if step == 27:   # after the switch to 3 predicted steps at step 20
            raise KeyboardInterrupt
        return original(self, draw, lr, rw, step)

    monkeypatch.setattr(trainer_module.Trainer, "train_step", dies)
    with pytest.raises(KeyboardInterrupt):
        fit_dataset(kinematics, tmp_path / "killed", settings, progress=False)
    monkeypatch.setattr(trainer_module.Trainer, "train_step", original)
    resumed = fit_dataset(kinematics, tmp_path / "killed", settings, progress=False)
    assert resumed.resumed_from == 27
    a, b = (ckpt.load(tmp_path / r / "checkpoint.pt")["trainer"]["model"] for r in ("straight", "killed"))
    for key, value in a.items():
        assert torch.equal(value, b[key]), key


@pytest.fixture(scope="module")
def kinematics_cell(tmp_path_factory):
    """Kinematics with short series (20 encoder steps, 10 propagated), a 1-layer cell of linear
    and product units, 8 trials trained end to end on 1 then 3 predicted steps: ~60 s on 2 cores."""
    from peql.pipeline import score as evaluate
    from peql.pipeline import fit_dataset, load_run
    from peql.pipeline import extract_run

    ds = get_registry().get("systems", "kinematics").simulate(seed=0, n_train=100, n_val=20, n_test=20,
                                                              steps_in=20, steps_out=10)
    run = tmp_path_factory.mktemp("kinematics_cell")
    fit_dataset(ds, run, _cell_settings(2000, trials=KINEMATICS_TRIALS), progress=False)
    doc = extract_run(run, ds, tmp_path_factory.mktemp("kinematics_equations"))
    return ds, doc, evaluate(doc, ds, load_run(run, ds))


#: Trials of the kinematics cells, and how many must read out the exact update. Measured
#: (2026-12-02, 2-core CPU, seeds 0 and 1, one and two torch threads): 4 of 8 whole-state and 4-5 of
#: 8 residual trials right by DESIGN 6b (refined: each trial refit as the selected one). The
#: others carry a constant of 0.01-0.05 from the latent-to-parameter line. 2 of 8 leaves a margin.
KINEMATICS_TRIALS, KINEMATICS_MIN_RIGHT = 8, 2


def _assert_kinematics_cell(doc, scores):
    trials = scores["network"]["trials"]
    right = [t for t in trials if t["structure_correct_refined"]]
    assert len(right) >= KINEMATICS_MIN_RIGHT, [t.get("update_refined") for t in trials]
    # a trial with the exact kinematic form u' = u + dt v + a dt^2 / 2, v' = v + a dt (not Euler's
    # step) has it with its coefficients: within 2 % in every right trial
    assert all(t["coef_rel_error_pct_refined"] < 2.0 for t in right), [t["coef_rel_error_pct_refined"] for t in right]
    assert all(abs(t["latent_correlation"]) >= 0.98 for t in trials)
    # iterated 10 steps from the initial state, 3 of them trained: the selected equations stay on the truth
    assert scores["trained_horizon"] == 3 and scores["steps"] == 10
    assert scores["refined"]["rollout_nmse_out"] < 1e-2
    assert doc["euler"]["u"] == "u + 1.0*v" and set(doc["update"]) == {"u", "v"}


def test_kinematics_cell_recovers_the_exact_update_and_extrapolates_in_time(kinematics_cell):
    ds, doc, scores = kinematics_cell
    _assert_kinematics_cell(doc, scores)


def test_every_trial_is_scored_and_the_report_draws_the_rollouts(kinematics_cell, tmp_path):
    from peql.tasks.dynamics_report import rollout_figure, update_rows
    from peql.report.figures import latent_figure

    ds, doc, scores = kinematics_cell
    trials = scores["network"]["trials"]
    assert len(trials) == KINEMATICS_TRIALS and 0 < scores["refined"]["success_rate"] <= 1
    assert 0 <= scores["network"]["success_rate"] <= 1
    for t in trials:
        assert {"latent_correlation", "rollout_mse_in", "rollout_mse_out", "structure_correct_network",
                "structure_correct_refined"} <= set(t)
    fd = scores["figure_data"]
    assert np.asarray(fd["network"]).shape == (3, 10, 2) and np.asarray(fd["truth"]).shape == (3, 11, 2)
    assert rollout_figure(ds, {"eql": scores}, tmp_path / "r.png").stat().st_size > 10_000
    assert latent_figure(ds, {"eql": scores}, tmp_path / "l.png").stat().st_size > 10_000
    rows = update_rows(ds, {"eql": doc})
    assert [r["state"] for r in rows] == ["u'", "v'"] and rows[0]["eql"] == doc["update"]["u"]


def test_the_workflow_report_shows_trajectories_with_their_update_table(kinematics_cell, tmp_path):
    from peql.data import write_dataset
    from peql.pipeline import build_report
    from peql.results import write_json

    ds, doc, scores = kinematics_cell
    write_dataset(ds, tmp_path / "k.zarr")
    write_json(doc, tmp_path / "eq.json")
    write_json(scores, tmp_path / "s.json")
    build_report([["kin", "eql"]], {"kin": {"system": "kinematics"}}, [str(tmp_path / "k.zarr")],
                 [str(tmp_path / "eq.json")], [str(tmp_path / "s.json")], str(tmp_path / "index.html"),
                 str(tmp_path / "fig"), str(tmp_path / "tables.json"))
    page = (tmp_path / "index.html").read_text()
    assert "kin__rollouts.png" in page and "Euler" in page and doc["update"]["u"] in page
    assert (tmp_path / "fig" / "kin__rollouts.png").exists() and (tmp_path / "fig" / "kin__latents.png").exists()
    tables = json.loads((tmp_path / "tables.json").read_text())
    assert tables["equations"]["kin"][0]["truth"] == "u + 1.0*v + 0.5*a"


def test_a_residual_kinematics_cell_reads_out_the_next_state(tmp_path):
    """The heads learn the changes (v + a/2, a); the read-out adds the state back, so the judged
    update is the exact kinematic step, as for the whole-state cell."""
    from peql.pipeline import score as evaluate
    from peql.pipeline import fit_dataset, load_run
    from peql.pipeline import extract_run

    ds = get_registry().get("systems", "kinematics").simulate(seed=0, n_train=100, n_val=20, n_test=20,
                                                              steps_in=20, steps_out=10)
    fit_dataset(ds, tmp_path / "run", _cell_settings(2000, residual=True, trials=KINEMATICS_TRIALS), progress=False)
    doc = extract_run(tmp_path / "run", ds, tmp_path / "out")
    scores = evaluate(doc, ds, load_run(tmp_path / "run", ds))
    _assert_kinematics_cell(doc, scores)
