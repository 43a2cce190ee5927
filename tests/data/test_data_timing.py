"""Every system simulates at the paper's size within the issue's budget on a 2-core CPU.

Slow (about 10 s in all): run with ``pytest -m slow tests/data -s`` to see the timings.
"""

from __future__ import annotations

import time

import pytest

from peql.data import BUILTIN_SYSTEMS

LIMIT_S = {"kuramoto_sivashinsky": 30.0}


@pytest.mark.slow
@pytest.mark.parametrize("system", BUILTIN_SYSTEMS, ids=lambda s: s.name)
def test_simulates_at_paper_size_in_time(system):
    start = time.perf_counter()
    ds = system.simulate()
    elapsed = time.perf_counter() - start
    print(f"\n{system.name}: {elapsed:.2f} s for {dict(ds.sizes)}")
    assert elapsed < LIMIT_S.get(system.name, 10.0)
