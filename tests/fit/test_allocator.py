"""Freed training temporaries are reused, not faulted in afresh every step (peql.fit.allocator)."""

import json
import resource
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")

# Run in a fresh interpreter: the heap of a test process that has run other tests holds
# whatever they left, which makes fault counts there depend on the order of the tests.
_PROBE = """
import json, resource, torch
from peql.fit.allocator import keeping_freed_memory

def faults(n, mib=8):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(n):
        t = torch.empty(mib << 18)   # float32: mib MiB
        t.fill_(1.0)
        del t
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

def resident_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20

with keeping_freed_memory() as applied:
    faults(5)                # the heap grows to its size
    inside = faults(20)
    kept = resident_mib()    # the freed 8 MiB block is still resident, for the next step
handed_back = kept - resident_mib()
print(json.dumps({"applied": applied, "inside": inside, "handed_back_mib": handed_back}))
"""


def test_freed_blocks_are_reused_inside_the_block_and_not_after():
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    pages_per_cycle = (8 << 20) // resource.getpagesize()
    assert got["applied"]
    # inside: at most a tenth of one cycle's pages over all 20 cycles; after: the kept block
    # goes back to the system
    assert got["inside"] < pages_per_cycle / 10, got
    assert got["handed_back_mib"] >= 7, got
