"""``fit``: train one architecture on one dataset with N trials batched, checkpointed and
resumable. The Python function behind ``peql fit``."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch

from . import checkpoint as ckpt
from .data import GroupedData
from .allocator import keeping_freed_memory
from .denormals import flushing_denormals
from .progress import Progress
from .sampler import Sampler
from .models import build_cell, build_network
from .sequences import SequenceData
from .schedules import make_schedule
from .settings import FitSettings, resolve_device
from .trainer import Trainer

CHECKPOINT = "checkpoint.pt"


@dataclass
class FitResult:
    """A trained batch of trials and what is needed to use it."""

    model: torch.nn.Module
    data: GroupedData
    settings: FitSettings
    architecture: object
    history: list = field(default_factory=list)   # (step, [loss per trial])
    restarts: list = field(default_factory=list)
    frozen: list = field(default_factory=list)
    wall_time: float = 0.0
    resumed_from: int = 0


def fit(x: np.ndarray, y: np.ndarray, param: np.ndarray, input_names: Sequence[str], param_name: str = "t",
        settings: FitSettings | None = None, run_dir: str | Path | None = None, registry=None,
        progress: bool = True, quiet: bool = False, on_mismatch: str = "error",
        build: Callable = build_network) -> FitResult:
    """Train ``settings.trials`` independent networks of ``settings.architecture`` at once.

    Args:
        x: training inputs (N, d).  y: targets (N,).  param: parameter value per sample (N,).
        input_names, param_name: names used in equations.
        settings: training settings (architecture defaults fill the gaps).
        run_dir: where the checkpoint lives; an existing unfinished checkpoint of the same
            settings and data is resumed, a finished one is loaded without training.
        registry: the component registry (``peql.get_registry()``).
        progress: show a progress bar (``quiet`` prints a line every 10 % instead).
        on_mismatch: a checkpoint in ``run_dir`` written for other settings or data is an
            ``"error"``, or (``"restart"``) is moved aside to ``checkpoint.stale.pt`` and
            training starts afresh (what the workflow does when a setting changed).
        build: the model builder (:mod:`peql.fit.models`; images: ``build_encoded``).
    """
    settings = (settings or FitSettings()).resolved()
    data = GroupedData(x, y, param, input_names, param_name, settings.target_normalisation,
                       resolve_device(settings.device))
    return train(data, ckpt.data_fingerprint(x, y, param), settings, run_dir, registry, progress, quiet, on_mismatch,
                 build)


def fit_sequences(encoder_series: np.ndarray, series: np.ndarray, param: np.ndarray, state_names: Sequence[str],
                  param_name: str = "p", settings: FitSettings | None = None, run_dir: str | Path | None = None,
                  registry=None, progress: bool = True, quiet: bool = False,
                  on_mismatch: str = "error") -> FitResult:
    """Train a recurrent cell (one ``settings.architecture`` network per state variable) behind
    ``settings.encoder``, end to end, with ``settings.horizon`` as the curriculum on predicted steps.

    Args:
        encoder_series: (N, steps_in, states) the series the encoder reads.
        series: (N, steps_out + 1, states) the trajectories to propagate from step 0.
        param: (N,) the hidden parameter (kept for read-out; the model never sees it).
        state_names, param_name: names used in the equations.
        The rest as :func:`fit`.
    """
    settings = (settings or FitSettings()).resolved()
    data = SequenceData(encoder_series, series, param, state_names, param_name, resolve_device(settings.device))
    return train(data, ckpt.data_fingerprint(encoder_series, series, param), settings, run_dir, registry,
                 progress, quiet, on_mismatch, build_cell)


def train(data, fingerprint: str, settings: FitSettings, run_dir: str | Path | None = None, registry=None,
          progress: bool = True, quiet: bool = False, on_mismatch: str = "error",
          build: Callable = build_network) -> FitResult:
    """The training loop behind every fit, on data already on the device (a data holder such as
    ``GroupedData`` or ``SequenceData``); ``fingerprint`` identifies the data in the checkpoint and
    ``build(registry, settings, data) -> (architecture, model)`` makes the model
    (:mod:`peql.fit.models`). Denormals are flushed and freed memory is kept for reuse while it
    runs; the caller's settings come back after (peql.fit.denormals, peql.fit.allocator)."""
    if registry is None:
        raise ValueError("train needs the component registry (peql.get_registry())")
    with flushing_denormals(), keeping_freed_memory():
        return _train(data, fingerprint, settings, run_dir, registry, progress, quiet, on_mismatch, build)


def _train(data, fingerprint: str, settings: FitSettings, run_dir, registry, progress: bool, quiet: bool,
           on_mismatch: str, build: Callable) -> FitResult:
    arch, model = build(registry, settings, data)
    spg, gpb = settings.batch_shape()
    data.set_step(0, settings)  # a bad curriculum fails before training
    sampler = Sampler(data, settings.trials, spg, gpb, model.gate_noise_shapes(), settings.seed,
                      model.augment_shape(tuple(data.x.shape[1:])))
    schedule = make_schedule(settings.schedule, settings.lr, settings.rw, settings.steps, sampler.steps_per_epoch,
                             settings.freeze_threshold, settings.phases)
    trainer = Trainer(model, data, settings.optimizer, settings.max_restarts, settings.seed, settings.cuda_graph)
    result = FitResult(model, data, settings, arch)

    path = Path(run_dir) / CHECKPOINT if run_dir is not None else None
    step, prior_time = 0, 0.0
    state = _resumable(path)
    if state is not None and (not _same_settings(state["settings"], _comparable(settings)) or state["data"] != fingerprint):
        if on_mismatch != "restart":
            raise ValueError(f"{path} was written for other settings or data; use a fresh run directory")
        path.replace(path.with_name("checkpoint.stale.pt"))
        state = None
    if state is not None:
        trainer.load_state_dict(state["trainer"])
        step, result.history = state["step"], state["history"]
        result.resumed_from, prior_time = step, state.get("wall_time", 0.0)

    def save(done: bool):
        if path is not None:
            trainer.sync(step)
            ckpt.atomic_save({"settings": _comparable(settings), "data": fingerprint, "step": step,
                              "trainer": trainer.state_dict(), "history": result.history, "complete": done,
                              "wall_time": prior_time + time.monotonic() - t0,
                              "scaling": data.scaling.to_dict(), "input_names": list(data.input_names),
                              "param_name": data.param_name}, path)

    bar = Progress(settings.steps, step, enabled=progress, quiet=quiet)
    model.train()  # a batch-norm encoder standardises over the batch only while training
    t0 = last_save = time.monotonic()
    while step < settings.steps:
        if step == schedule.freeze_step:
            trainer.freeze_small_weights(schedule.freeze_threshold)
        lr, rw = schedule(step)
        data.set_step(step, settings)
        loss = trainer.train_step(sampler.draw(step), lr, rw, step)
        step += 1
        if step % settings.log_every == 0 or step == settings.steps:
            losses = loss.cpu().tolist()
            result.history.append((step, losses))
            bar.update(step, min(l for l in losses if np.isfinite(l)) if any(np.isfinite(losses)) else float("nan"))
        if path is not None and time.monotonic() - last_save > settings.checkpoint_every_s:
            save(False)
            last_save = time.monotonic()
    bar.close()
    model.eval()
    if step != result.resumed_from or result.resumed_from == 0:  # never rewrite a finished checkpoint
        save(True)
    result.wall_time = prior_time + time.monotonic() - t0
    result.restarts, result.frozen = trainer.restarts.tolist(), trainer.frozen.tolist()
    return result


def _resumable(path: Path | None) -> dict | None:
    """The checkpoint to resume, or None; an unreadable one (a job killed mid-write by an older
    peql, a truncated copy) is moved aside with a message and training starts afresh."""
    if path is None or not path.exists():
        return None
    try:
        return ckpt.load(path)
    except ckpt.CheckpointError as exc:
        moved = ckpt.set_aside(path, "unreadable")
        print(f"{exc}; moved it to {moved.name} and starting afresh", flush=True)
        return None


def _same_settings(stored: dict, current: dict) -> bool:
    """A setting that a checkpoint predates counts as its default (old runs stay loadable)."""
    defaults = _comparable(FitSettings())
    return all(stored.get(k, defaults.get(k)) == v for k, v in current.items())


def _comparable(settings: FitSettings) -> dict:
    """Settings that must match for a checkpoint to be resumed (not the cadence of saving)."""
    d = settings.to_dict()
    for key in ("checkpoint_every_s", "log_every", "device", "cuda_graph"):
        d.pop(key, None)
    return d
