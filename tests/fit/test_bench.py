"""The bench's own measures (peql.fit.bench): bytes touched per kernel, memory bandwidth."""

import torch

from peql.fit.bench import BytesTouched, copy_bandwidth_gbs


def test_bytes_touched_counts_each_kernels_inputs_and_outputs_and_not_views_or_allocations():
    a, b = torch.ones(1000), torch.ones(1000)
    with BytesTouched() as touched:
        c = a + b                      # reads 2 x 4000 bytes, writes 4000
        c.view(10, 100).t()            # views: nothing moves
        torch.empty(10_000)            # an allocation: nothing moves
        c.mul_(2.0)                    # reads 4000, writes 4000 (the same tensor, counted twice)
    assert touched.bytes == 3 * 4000 + 2 * 4000


def test_copy_bandwidth_is_a_plausible_rate():
    gbs = copy_bandwidth_gbs(torch.device("cpu"), mib=16, seconds=0.1)
    assert 0.5 < gbs < 2000


def test_a_profiled_bench_row_splits_the_step_and_its_bytes_consistently():
    from peql.fit.bench import bench_one
    from peql.plugins import get_registry

    r = bench_one("seql", 1, torch.device("cpu"), steps=2, warmup=1, registry=get_registry(None), profile=True)
    assert set(r["phases_ms"]) == {"forward", "backward", "optimiser"}
    assert all(v > 0 for v in r["phases_ms"].values())
    # the kernels' bytes add up to the step's, and the RMSProp update is among them
    assert abs(sum(mb for mb, _ in r["mb_by_kernel"].values()) - r["mb_touched_per_step"]) < 1e-6
    assert "_foreach_addcdiv_" in r["mb_by_kernel"]
    # a step reads and writes at least the parameters, their gradients and the optimiser state
    assert r["mb_touched_per_step"] > 3 * r["parameter_mb"]
