"""SGTR at the paper's size (Burgers 256 t-slices x 512 x; advection-diffusion 256 x-points x 512
times): exact terms at every parameter value, coefficient MSE <= 1e-6, in seconds.

Slow (about 15 s): ``pytest -m slow tests/tools``; ``python tools/paper_size.py``
prints the full table (SGTR and SINDy, with and without products)."""

from __future__ import annotations

import pytest

from paper_size import measure   # tools/ is on the test path (pyproject)


@pytest.mark.slow
@pytest.mark.parametrize("system", ["burgers", "advection_diffusion"])
def test_sgtr_at_paper_size(registry, system):
    cases = [("cross-term features", True, "features"), ("products library", False, "products")]
    for row in measure(system, methods=["sgtr"], cases=cases, registry=registry):
        assert row["structure_correct"] and row["fraction_correct"] == 1.0, row
        assert row["coef_mse"] <= 1e-6 and row["wall_time_s"] < 5.0, row
