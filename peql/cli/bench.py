"""``peql bench``: training throughput (:mod:`peql.fit.bench`)."""

from __future__ import annotations

import torch

from ..fit.bench import run


def add_commands(sub) -> None:
    p = sub.add_parser("bench", help="measure training throughput (trial-steps per second)")
    p.add_argument("--arch", default="seql,heql", help="comma-separated architectures")
    p.add_argument("--trials", default="1,40", help="comma-separated trial counts")
    p.add_argument("--device", default="auto", help="cpu, cuda, or auto (cpu, plus cuda when present)")
    p.add_argument("--steps", type=int, default=100, help="timed steps per configuration")
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--json", dest="json_path", default=None, help="write results to this JSON file")
    p.add_argument("--profile", action="store_true",
                   help="also time the forward pass, the backward pass and the optimiser apart, and "
                        "list the bytes each kernel reads and writes in one step")
    p.set_defaults(func=_cmd)


def _cmd(args) -> int:
    from ..fit.allocator import keeping_freed_memory
    from ..fit.denormals import flushing_denormals
    from ..plugins import get_registry

    if args.json_path:
        from ..results import FILE, check_output, is_peql_json

        check_output(args.json_path, FILE, owned=is_peql_json, what="benchmark results (JSON)")
    devices = (["cpu"] + (["cuda"] if torch.cuda.is_available() else [])) if args.device == "auto" else args.device.split(",")
    with flushing_denormals(), keeping_freed_memory():   # as in training
        out = run(args.arch.split(","), [int(t) for t in args.trials.split(",")], devices, args.steps, args.warmup,
                  get_registry(args.plugins_dir), args.profile)
    print(f"sgemm: {out['sgemm_gflops']:.1f} GFLOP/s; copy bandwidth: {out['copy_gbs']:.1f} GB/s; batching speed-up (max/min trials): "
          + ", ".join(f"{k} {v:.2f}x" for k, v in out["batching_speedup"].items()))
    if args.json_path:
        from ..results import write_json

        write_json(out, args.json_path, "bench")
    return 0
