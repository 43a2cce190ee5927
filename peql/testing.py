"""Checks that plugin authors reuse in their own test suites (``check_primitive`` also runs on every
registered primitive when plugins load; ``check_task`` runs a kind of experiment end to end).

    from peql.testing import check_primitive
    def test_my_primitive():
        check_primitive(MY_PRIMITIVE)
"""

from __future__ import annotations

import numpy as np
import sympy
import torch

from .nn.primitives import Primitive


def check_primitive(primitive: Primitive, n: int = 257, low: float = -2.0, high: float = 2.0,
                    rtol: float = 1e-6, atol: float = 1e-9, seed: int = 0) -> None:
    """Assert that a primitive's torch and SymPy forms agree numerically (float64) at ``n``
    random points in [low, high]^arity, and that the torch form is elementwise.

    Raises:
        AssertionError: naming the primitive and the worst point.
    """
    rng = np.random.default_rng(seed)
    pts = rng.uniform(low, high, size=(primitive.arity, n))
    params = primitive.resolve()
    got = primitive.torch_fn(*[torch.as_tensor(p, dtype=torch.float64) for p in pts], **params)
    got = got.detach().numpy() if isinstance(got, torch.Tensor) else np.asarray(got)
    assert got.shape == (n,), f"{primitive.name}: torch form is not elementwise (shape {got.shape})"
    syms = sympy.symbols(f"g0:{primitive.arity}")
    fn = sympy.lambdify(syms, primitive.sympy_fn(*syms, **params), modules="numpy")
    want = np.broadcast_to(np.asarray(fn(*pts), dtype=float), (n,))
    bad = ~np.isclose(got, want, rtol=rtol, atol=atol)
    if bad.any():
        i = int(np.argmax(np.abs(got - want)))
        at = ", ".join(f"{v:.4g}" for v in pts[:, i])
        raise AssertionError(
            f"primitive {primitive.name!r}: its torch and SymPy forms disagree: {float(got[i]):.6g} against "
            f"{float(want[i]):.6g} at g = ({at}); {int(bad.sum())} of {n} points differ"
        )
    if primitive.torch_grad is not None:
        _check_gradient(primitive, pts, params, rtol, atol)


def _check_gradient(primitive: Primitive, pts: np.ndarray, params: dict, rtol: float, atol: float) -> None:
    """The hand-written ``torch_grad`` must equal autograd's derivative of ``torch_fn``."""
    inputs = [torch.as_tensor(p, dtype=torch.float64).requires_grad_(True) for p in pts]
    upstream = torch.as_tensor(np.random.default_rng(1).normal(size=pts.shape[1]), dtype=torch.float64)
    out = primitive.torch_fn(*inputs, **params)
    if out.requires_grad:
        want = torch.autograd.grad(out, inputs, upstream, allow_unused=True, materialize_grads=True)
    else:  # a function that ignores its input (the constant)
        want = [torch.zeros_like(i) for i in inputs]
    got = primitive.torch_grad(upstream, *[i.detach() for i in inputs], **params)
    for k, (g, w) in enumerate(zip(got, want)):
        if not torch.allclose(g, w, rtol=rtol, atol=atol):
            raise AssertionError(f"primitive {primitive.name!r}: torch_grad differs from autograd for input {k}")


def check_task(task, ds, settings=None, registry=None, workdir=None) -> dict:
    """Run a task end to end on a small dataset of a kind it claims and check what it returns
    against the contracts the stages rely on: a fit on its training data, a read-out with the
    keys of ``equations.json`` (DESIGN section 6, the task's name under ``task``), scores with the
    method and system, and a report section whose figures exist.

    Args:
        task: the :class:`peql.Task` to check.
        ds: a small dataset whose ``attrs["kind"]`` the task claims.
        settings: :class:`peql.FitSettings` (default: 2 trials x 50 steps of seql).
        registry: the component registry (``peql.get_registry()``).
        workdir: a folder for the run and the figures (default: a temporary one).

    Returns:
        ``{"document": ..., "scores": ..., "section": ...}``.

    Raises:
        AssertionError: naming the contract broken.
    """
    import tempfile
    from pathlib import Path

    from .fit.run import train
    from .fit.settings import FitSettings
    from .report.page import Section

    assert ds.attrs.get("kind") in task.kinds, f"task {task.name!r} does not claim kind {ds.attrs.get('kind')!r}"
    assert registry is not None, "check_task needs the registry: check_task(task, ds, registry=peql.get_registry())"
    settings = (settings or FitSettings(architecture="seql", trials=2, steps=50, device="cpu")).resolved()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(workdir or tmp)
        data, fingerprint, build = task.training_data(ds, settings)
        assert isinstance(fingerprint, str) and callable(build), f"task {task.name!r}: training_data returns " \
            "(data, fingerprint, build)"
        result = train(data, fingerprint, settings, work / "run", registry, progress=False, build=build)
        doc = task.read_out(result, ds, 0.01, ("refit",), {})
        missing = {"parameter", "inputs", "architecture", "task", "selected_trial", "skeleton", "equations",
                   "trials"} - set(doc)
        assert not missing, f"task {task.name!r}: the document lacks {sorted(missing)}"
        assert doc["task"] == task.name, f"task {task.name!r}: the document records task {doc['task']!r}"
        assert len(doc["trials"]) == settings.trials, f"task {task.name!r}: one row per trial expected"
        scores = task.score(doc, ds, result)
        assert {"method", "system"} <= set(scores), f"task {task.name!r}: scores lack the method or system"
        (work / "figures").mkdir(parents=True, exist_ok=True)
        section = task.report("check", ds, {"net": doc}, {"net": scores}, work / "figures")
        assert isinstance(section, Section), f"task {task.name!r}: report returns a peql.report.page.Section"
        assert all(Path(p).exists() for p in section.figures), f"task {task.name!r}: a figure was not written"
    return {"document": doc, "scores": scores, "section": section}
