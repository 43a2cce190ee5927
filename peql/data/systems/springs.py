"""The spring benchmarks of the parametric-EQL paper (section IV-C): pairs of 1-D particle images.

Each particle at position psi in [-3, 3] becomes its own 64-pixel image on [-4, 4]: the normalised
Gaussian density of standard deviation 0.1 centred at psi, sampled at the pixel centres (the
original code's choice; the paper's "variance 0.1" is ``sigma=0.316``). Targets, with t on the grid
of :func:`peql.data.systems.analytic.t_grid`:

* ``spring_force``: F = k(t) (psi1 - psi2), k(t) = (5 - t)/2;
* ``spring_energy``: E = k(t) (psi1 - psi2)^2, k(t) = (5 - t)/4 (= (5 - t)/2 halved).

Training pairs are restricted to |psi2 - psi1| <= 4 (512 per t); ``val`` and ``test`` pairs (256 per
t each, separate streams) are unrestricted, so |psi2 - psi1| in (4, 6] is extrapolation.

Layout: the canonical long layout with kind ``"images"``; ``inputs`` hold the true positions
(``psi1``, ``psi2``), and ``images(sample, slot, pixel)`` (float32, coordinate ``pixel`` = pixel
centres) the two images. Noise (fraction of the clean training target's std) goes on the train and
val targets. The attr ``extrapolation`` (``Abs(psi1 - psi2) > 4.0``) marks the test samples
outside the training domain; ``extrapolation_axis`` (``psi1 - psi2``) is what the report plots
predictions against.
"""

from __future__ import annotations

import numpy as np

from ..dataset import tabular_dataset
from ..noise import add_noise
from .analytic import GRIDS, t_grid
from .base import Run, System


def particle_images(positions: np.ndarray, pixels: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian densities N(pixel; psi, sigma^2): shape ``positions.shape + (len(pixels),)``."""
    d = (pixels - positions[..., None]) / sigma
    return np.exp(-0.5 * d**2) / (sigma * np.sqrt(2 * np.pi))


def draw_pairs(generator: np.random.Generator, rows: int, n: int, half: float,
               max_gap: float | None) -> np.ndarray:
    """(rows, n, 2) positions ~ U[-half, half]^2, keeping only pairs with |gap| <= max_gap.

    Vectorised rejection sampling: oversample every row, keep each row's first ``n`` accepted
    pairs, and top up the (rare) rows that came out short.
    """
    if max_gap is None or max_gap >= 2 * half:
        return generator.uniform(-half, half, size=(rows, n, 2))
    accept = 1 - max(0.0, 1 - max_gap / (2 * half)) ** 2
    if accept < 0.01:
        raise ValueError(f"max_gap={max_gap} keeps under 1 % of pairs on [-{half}, {half}]")
    out = np.empty((rows, n, 2))
    missing = np.arange(rows)
    filled = np.zeros(rows, dtype=int)
    while missing.size:
        m = int(np.ceil(1.5 * n / accept)) + 16
        cand = generator.uniform(-half, half, size=(missing.size, m, 2))
        ok = np.abs(cand[..., 0] - cand[..., 1]) <= max_gap
        order = np.argsort(~ok, axis=1, kind="stable")  # accepted first, in draw order
        cand = np.take_along_axis(cand, order[..., None], axis=1)
        take = np.minimum(ok.sum(axis=1), n - filled[missing])
        slot = np.arange(m)[None, :]
        for_row = slot < take[:, None]
        r_idx, c_idx = np.nonzero(for_row)
        out[missing[r_idx], filled[missing][r_idx] + c_idx] = cand[r_idx, c_idx]
        filled[missing] += take
        missing = missing[filled[missing] < n]
    return out


_TARGETS = {
    "spring_force": ("k(t)*(psi1 - psi2)", lambda t: (5 - t) / 2, lambda k, d: k * d),
    "spring_energy": ("k(t)*(psi1 - psi2)**2", lambda t: (5 - t) / 4, lambda k, d: k * d**2),
}


def evaluate(name: str, psi: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Clean target of ``name`` for positions ``psi[..., 0:2]`` at parameter ``t``."""
    _, k, fn = _TARGETS[name]
    return fn(k(np.asarray(t, dtype=np.float64)), psi[..., 0] - psi[..., 1])


def _generate(run: Run):
    s = run.settings
    equation, k, _ = _TARGETS[run.system]
    grid = t_grid(s["grid"], s["n_t"], s["t_max"])
    pixels = np.linspace(-s["image_range"], s["image_range"], s["n_pixels"])
    parts = {}
    for split, n, gap in (("train", s["n_train"], s["max_train_gap"]),
                          ("val", s["n_val"], None), ("test", s["n_test"], None)):
        psi = draw_pairs(run.rng(split), len(grid), n, s["position_range"], gap)
        t = np.broadcast_to(grid[:, None], psi.shape[:2])
        parts[split] = [psi.reshape(-1, 2), t.ravel(), evaluate(run.system, psi, t).ravel()]
    scale = float(np.std(parts["train"][2]))
    for split in ("train", "val"):
        parts[split][2] = add_noise(parts[split][2], run.noise, run.rng(f"noise/{split}"), scale)
    psi, t, y = (np.concatenate(a) for a in zip(*parts.values()))
    split = np.repeat(list(parts), [len(p[2]) for p in parts.values()])
    images = particle_images(psi, pixels, s["sigma"]).astype(np.float32)
    values = np.unique(grid)
    return tabular_dataset(
        inputs=psi, target=y, param=t, split=split, feature_names=["psi1", "psi2"],
        system=run.system, kind="images", param_name="t", target_name="y",
        true_equation=equation, true_coef={"k": k(values)}, param_values=values,
        settings=run.record,
        extra_vars={"images": (("sample", "slot", "pixel"), images)},
        extra_attrs={"image_inputs": ["psi1", "psi2"],
                     "extrapolation": f"Abs(psi1 - psi2) > {float(s['max_train_gap'])}",
                     "extrapolation_axis": "psi1 - psi2"},
    ).assign_coords(pixel=pixels)


_DEFAULTS = {"grid": "code", "n_t": 128, "t_max": 3.0, "n_train": 512, "n_val": 256,
             "n_test": 256, "position_range": 3.0, "max_train_gap": 4.0, "n_pixels": 64,
             "image_range": 4.0, "sigma": 0.1}

SYSTEMS = [
    System("spring_force", "F = (5 - t)/2 (psi1 - psi2) from pairs of 64-pixel particle images",
           "images", _DEFAULTS, _generate, choices={"grid": GRIDS}),
    System("spring_energy", "E = (5 - t)/4 (psi1 - psi2)^2 from pairs of 64-pixel particle images",
           "images", _DEFAULTS, _generate, choices={"grid": GRIDS}),
]
