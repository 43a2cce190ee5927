"""``peql bench``: trial-steps per second of the training step, at the original code's network
(3 hidden layers of constant x2, identity x4, square x4, sin x2 (4*pi), product x2 (scale 10),
skip connections) and minibatches (SEQL: 16 samples at each of 127 parameter values, two grids
of 64 that share 0; HEQL: 64 samples x 64 parameter values), on CPU and on CUDA when present.
Reports this machine's matrix-multiply rate and memory bandwidth measured in the same run, so
results compare across machines as ratios, and the bytes one step's kernels read and write, so
the step's time compares with the time those bytes take at the measured bandwidth."""

from __future__ import annotations

import itertools
import math
import time
from collections import Counter

import numpy as np
import torch
from torch.utils import _pytree as pytree
from torch.utils._python_dispatch import TorchDispatchMode

ORIGINAL_NETWORK = {
    "hidden_layers": 3,
    "units": ["constant:2", "identity:4", "square:4",
              {"name": "sin", "count": 2, "params": {"frequency": 4 * math.pi}},
              {"name": "product", "count": 2, "params": {"scale": 10.0}}],
    "gate_output": False,
}
BATCHES = {"seql": (16, "all"), "heql": (64, 64), "eql": ("all", "all"), "mlp": (64, 64)}


def sgemm_gflops(device: torch.device, n: int = 1024, seconds: float = 1.0) -> float:
    """Measured float32 matrix-multiply rate (GFLOP/s)."""
    a = torch.randn(n, n, device=device)
    b = torch.randn(n, n, device=device)
    for _ in range(3):
        a @ b
    _sync(device)
    reps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        a @ b
        reps += 1
    _sync(device)
    return 2 * n**3 * reps / (time.perf_counter() - t0) / 1e9


def copy_bandwidth_gbs(device: torch.device, mib: int = 256, seconds: float = 1.0) -> float:
    """Measured memory bandwidth (GB/s) of a STREAM-style copy: ``b = a`` over arrays of ``mib``
    MiB (eight times a large last-level cache), counting the bytes read and the bytes written."""
    a = torch.ones(mib << 18, device=device)
    b = torch.empty_like(a)
    for _ in range(2):
        b.copy_(a)
    _sync(device)
    reps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        b.copy_(a)
        reps += 1
    _sync(device)
    return 2 * a.numel() * a.element_size() * reps / (time.perf_counter() - t0) / 1e9


class BytesTouched(TorchDispatchMode):
    """Counts the bytes every kernel of a block reads and writes: each op's tensor inputs and
    outputs once (views move nothing and are not counted). Caches are not modelled, so this is
    the traffic of a machine without them: a floor to compare the step's time with, not a
    measurement of the memory bus."""

    def __init__(self):
        super().__init__()
        self.bytes = 0
        self.by_kernel: Counter = Counter()   # bytes per kernel name
        self.calls: Counter = Counter()

    #: ops that allocate, or reinterpret a tensor, without reading or writing its bytes
    MOVES_NOTHING = frozenset({"empty", "empty_like", "new_empty", "empty_strided", "new_empty_strided",
                               "_unsafe_view", "detach"})

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        name = func.overloadpacket.__name__
        if not func.is_view and name not in self.MOVES_NOTHING:
            moved = sum(t.numel() * t.element_size() for t in pytree.tree_leaves((args, kwargs, out))
                        if isinstance(t, torch.Tensor))
            self.bytes += moved
            self.by_kernel[name] += moved
            self.calls[name] += 1
        return out


def step_phases(trainer, draws, steps: int, device: torch.device) -> dict[str, float]:
    """Milliseconds per step in the forward pass, the backward pass and the optimiser, each
    timed on its own over ``steps`` steps after two untimed ones (the trainer's step without its
    divergence checks)."""
    total = {"forward": 0.0, "backward": 0.0, "optimiser": 0.0}
    for s in range(-2, steps):
        t0 = time.perf_counter()
        mse, penalty = trainer.loss_terms(draws[s % len(draws)])
        loss = (mse + 1e-3 * penalty).sum()
        _sync(device)
        t1 = time.perf_counter()
        for p in trainer.params:
            p.grad = None
        loss.backward()
        _sync(device)
        t2 = time.perf_counter()
        trainer.opt.step(1e-3)
        _sync(device)
        t3 = time.perf_counter()
        if s < 0:
            continue
        total["forward"] += t1 - t0
        total["backward"] += t2 - t1
        total["optimiser"] += t3 - t2
    return {k: 1e3 * v / steps for k, v in total.items()}


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def bench_one(arch: str, trials: int, device: torch.device, steps: int, warmup: int, registry,
              cuda_graph: bool = False, profile: bool = False) -> dict:
    from .data import GroupedData
    from .models import build_network as build_model
    from .sampler import Sampler
    from .settings import FitSettings
    from .trainer import Trainer

    rng = np.random.default_rng(0)
    t_grid = np.concatenate([np.linspace(-3, 0, 64), np.linspace(0, 3, 64)])
    t = np.repeat(t_grid, 512)
    x = rng.uniform(-3, 3, size=(len(t), 1))
    spg, gpb = BATCHES[arch]
    settings = FitSettings(architecture=arch, trials=trials, steps=steps, network=ORIGINAL_NETWORK,
                           samples_per_group=spg, groups_per_batch=gpb, options=_options(arch)).resolved()
    data = GroupedData(x, t * x[:, 0], t, ["x"], target=settings.target_normalisation, device=device)
    _, model = build_model(registry, settings, data)
    s_pg, g_pb = settings.batch_shape()
    sampler = Sampler(data, trials, s_pg, g_pb, model.gate_noise_shapes(), seed=0)
    trainer = Trainer(model, data, cuda_graph=cuda_graph)
    draws = [sampler.draw(s) for s in range(min(steps, 64))]
    for s in range(warmup):
        trainer.train_step(draws[s % len(draws)], 1e-3, 1e-3, s)
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        Trainer(model, data, cuda_graph=False).train_step(draws[0], 1e-3, 1e-3, 0)
    flops = counter.get_total_flops()
    probe = Trainer(model, data, cuda_graph=False)   # built outside the count: its set-up is no step
    with BytesTouched() as touched:
        probe.train_step(draws[0], 1e-3, 1e-3, 0)
    n_params = sum(p.numel() * p.element_size() for p in model.parameters())
    _sync(device)
    t0 = time.perf_counter()
    for s in range(steps):
        trainer.train_step(draws[s % len(draws)], 1e-3, 1e-3, s)
    _sync(device)
    dt = time.perf_counter() - t0
    label = device.type + ("+graph" if cuda_graph and device.type == "cuda" else "")
    out = {"arch": arch, "trials": trials, "device": label, "steps": steps,
           "ms_per_step": 1e3 * dt / steps, "trial_steps_per_s": trials * steps / dt,
           "matmul_gflop_per_step": flops / 1e9, "achieved_gflops": flops * steps / dt / 1e9,
           "mb_touched_per_step": touched.bytes / 1e6, "parameter_mb": n_params / 1e6}
    if profile:
        out["phases_ms"] = step_phases(probe, draws, steps, device)
        out["mb_by_kernel"] = {k: (v / 1e6, touched.calls[k]) for k, v in touched.by_kernel.most_common()}
    return out


def _options(arch):
    return {"output_mwu": False} if arch == "heql" else {}


def run(archs, trials_list, devices, steps: int, warmup: int, registry, profile: bool = False) -> dict:
    runs, gemm, bandwidth = [], {}, {}
    for dev in devices:
        device = torch.device(dev)
        gemm[dev] = sgemm_gflops(device)
        bandwidth[dev] = copy_bandwidth_gbs(device)
        # on CUDA: the eager step and the captured graph (peql.fit.graphed), as a ratio in one run
        modes = [False, True] if device.type == "cuda" else [False]
        for arch, graph, trials in itertools.product(archs, modes, trials_list):
            runs.append(bench_one(arch, trials, device, steps, warmup, registry, graph, profile))
            r = runs[-1]
            # the time the step's bytes take at the copy bandwidth, as a share of the step
            r["bytes_floor_share"] = r["mb_touched_per_step"] / 1e3 / bandwidth[dev] / (r["ms_per_step"] / 1e3)
            print(f"{arch:5s} trials={trials:3d} {r['device']:10s} {r['ms_per_step']:8.2f} ms/step "
                  f"{r['trial_steps_per_s']:9.1f} trial-steps/s  {r['achieved_gflops']:6.1f} GFLOP/s (matmul)  "
                  f"{r['mb_touched_per_step']:7.1f} MB/step touched ({100 * r['bytes_floor_share']:3.0f}% of the "
                  f"step at copy bandwidth)", flush=True)
            if profile:
                print(_profile_text(r), flush=True)
    by_arch = {}
    for r in runs:
        by_arch.setdefault((r["arch"], r["device"]), {})[r["trials"]] = r["trial_steps_per_s"]
    speedups = {f"{a}/{d}": tp[max(tp)] / tp[min(tp)] for (a, d), tp in by_arch.items() if len(tp) > 1}
    return {"runs": runs, "sgemm_gflops": gemm.get("cpu", next(iter(gemm.values()))), "sgemm_gflops_by_device": gemm,
            "copy_gbs": bandwidth.get("cpu", next(iter(bandwidth.values()))), "copy_gbs_by_device": bandwidth,
            "batching_speedup": speedups, "torch": torch.__version__, "threads": torch.get_num_threads()}


def _profile_text(r: dict, kernels: int = 10) -> str:
    phases = ", ".join(f"{k} {v:.1f} ms" for k, v in r["phases_ms"].items())
    lines = [f"      per step: {phases}; bytes by kernel ({r['parameter_mb']:.1f} MB of parameters):"]
    lines += [f"      {name:24s} {mb:8.1f} MB {calls:4d} calls" for name, (mb, calls) in list(r["mb_by_kernel"].items())[:kernels]]
    return "\n".join(lines)
