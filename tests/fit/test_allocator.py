"""Freed training temporaries are reused, not faulted in afresh every step (peql.fit.allocator)."""

import resource
import sys

import pytest
import torch

from peql.fit.allocator import keeping_freed_memory

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")


def _faults_of_repeated_temporaries(n: int = 20, mib: int = 8) -> int:
    """Minor page faults of ``n`` allocate-write-free cycles of a ``mib`` MiB tensor."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(n):
        t = torch.empty(mib << 18)   # float32: mib MiB
        t.fill_(1.0)
        del t
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def test_freed_blocks_are_reused_inside_the_block_and_not_after():
    pages_per_cycle = (8 << 20) // resource.getpagesize()
    with keeping_freed_memory() as applied:
        assert applied
        _faults_of_repeated_temporaries(5)          # the heap grows to its size
        inside = _faults_of_repeated_temporaries()
    after = _faults_of_repeated_temporaries()
    # inside: at most a tenth of one cycle's pages over all 20 cycles; after: the defaults are
    # back and the kept memory returned, so every cycle faults its pages in afresh (at least half
    # of them, allowing for the kernel's fault-around)
    assert inside < pages_per_cycle / 10
    assert after > 20 * pages_per_cycle / 2
