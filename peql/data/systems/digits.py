"""``digit_sum``: pairs of handwritten-digit images labelled with the sum of their digits (the
MNIST arithmetic task of ``eql-integration.txt``).

Images come from scikit-learn's bundled 8x8 digits (1797 images, no download) by default, or from
MNIST when the ``mnist`` setting names a folder holding the four IDX files
(``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``,
``t10k-labels-idx1-ubyte``, each optionally ``.gz``).

Each split draws its pairs from its own pool of images, so no test image is seen in training:
for the bundled digits a seeded 60/20/20 partition; for MNIST the first 10,000 training images
(as the original), the next 5,000 for ``val``, and the 10,000 test images. With
``max_train_sum > 0`` (the paper's generalisation run uses 15) train and val keep only pairs whose
sum is below it and test only pairs at or above it.

Layout: kind ``"images"``; ``inputs`` hold the two digit labels (``psi1``, ``psi2``), ``target`` the
sum (noise, a fraction of its training std, on train and val only; attr ``integer_target`` asks the
evaluation for the rounded-sum accuracy), ``images(sample, slot, row,
col)`` float32 in [0, 1]. There is no varying parameter: ``param`` is a constant 0.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from ..dataset import tabular_dataset
from ..noise import add_noise
from .base import Run, System

_IDX_DTYPES = {0x08: np.uint8}


def read_idx(path: str | Path) -> np.ndarray:
    """Read an (optionally gzipped) IDX file of unsigned bytes, such as MNIST's."""
    path = Path(path)
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise ValueError(f"{path} is not an unsigned-byte IDX file (bad magic number)")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{path}: header says shape {shape} but holds {data.size} values")
    return data.reshape(shape)


def _find_idx(folder: Path, stem: str) -> Path:
    for name in (stem, stem + ".gz"):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"MNIST folder {folder} has no {stem} (or {stem}.gz)")


def load_pools(mnist: str, seed_rng: np.random.Generator) -> tuple[dict, float]:
    """Image pools per split, ``{split: (images uint8 (n, h, w), labels (n,))}``, and the pixel
    maximum used to scale the images to [0, 1]."""
    if not mnist:
        from sklearn.datasets import load_digits

        bunch = load_digits()
        images, labels = bunch.images.astype(np.uint8), bunch.target.astype(np.int64)
        order = seed_rng.permutation(len(labels))
        cut = np.cumsum([int(0.6 * len(order)), int(0.2 * len(order))])
        idx = dict(zip(("train", "val", "test"), np.split(order, cut)))
        return {k: (images[v], labels[v]) for k, v in idx.items()}, 16.0
    folder = Path(mnist)
    if not folder.is_dir():
        raise FileNotFoundError(f"MNIST folder {folder} does not exist")
    tr_x = read_idx(_find_idx(folder, "train-images-idx3-ubyte"))
    tr_y = read_idx(_find_idx(folder, "train-labels-idx1-ubyte")).astype(np.int64)
    te_x = read_idx(_find_idx(folder, "t10k-images-idx3-ubyte"))
    te_y = read_idx(_find_idx(folder, "t10k-labels-idx1-ubyte")).astype(np.int64)
    if len(tr_x) != len(tr_y) or len(te_x) != len(te_y):
        raise ValueError(f"MNIST files in {folder}: image and label counts differ")
    n_tr = min(10_000, len(tr_x) * 2 // 3)
    return {"train": (tr_x[:n_tr], tr_y[:n_tr]),
            "val": (tr_x[n_tr:n_tr + 5_000], tr_y[n_tr:n_tr + 5_000]),
            "test": (te_x, te_y)}, 255.0


def draw_index_pairs(generator: np.random.Generator, labels: np.ndarray, n: int,
                     below: int | None, at_least: int | None) -> np.ndarray:
    """(n, 2) random image indices whose label sums satisfy the bounds (vectorised rejection)."""
    chosen = np.empty((0, 2), dtype=np.int64)
    for _ in range(100):
        cand = generator.integers(0, len(labels), size=(2 * n + 64, 2))
        total = labels[cand].sum(axis=1)
        ok = np.ones(len(cand), dtype=bool)
        if below is not None:
            ok &= total < below
        if at_least is not None:
            ok &= total >= at_least
        chosen = np.concatenate([chosen, cand[ok]])
        if len(chosen) >= n:
            return chosen[:n]
    raise ValueError(f"no digit pairs satisfy the sum bounds (below={below}, at least={at_least})")


def _generate(run: Run):
    s = run.settings
    pools, pixel_max = load_pools(s["mnist"], run.rng("pools"))
    limit = s["max_train_sum"] if s["max_train_sum"] > 0 else None
    parts = {}
    for split, n in (("train", s["n_train"]), ("val", s["n_val"]), ("test", s["n_test"])):
        images, labels = pools[split]
        if len(labels) == 0:
            raise ValueError(f"the {split!r} image pool is empty")
        bounds = (None, limit) if split == "test" else (limit, None)
        idx = draw_index_pairs(run.rng(split), labels, n, *bounds)
        parts[split] = [labels[idx].astype(np.float64), images[idx]]
    sums = {k: p[0].sum(axis=1) for k, p in parts.items()}
    scale = float(np.std(sums["train"]))
    for split in ("train", "val"):
        sums[split] = add_noise(sums[split], run.noise, run.rng(f"noise/{split}"), scale)
    labels = np.concatenate([p[0] for p in parts.values()])
    images = np.concatenate([p[1] for p in parts.values()]).astype(np.float32) / pixel_max
    split = np.repeat(list(parts), [len(p[0]) for p in parts.values()])
    return tabular_dataset(
        inputs=labels, target=np.concatenate(list(sums.values())), param=np.zeros(len(labels)),
        split=split, feature_names=["psi1", "psi2"], system=run.system, kind="images",
        param_name="t", target_name="y", true_equation="psi1 + psi2", true_coef={},
        param_values=np.zeros(1), settings=run.record,
        extra_vars={"images": (("sample", "slot", "row", "col"), images)},
        extra_attrs={"image_inputs": ["psi1", "psi2"], "integer_target": True})


SYSTEM = System(
    "digit_sum", "y = psi1 + psi2 from pairs of digit images (sklearn 8x8 digits, or MNIST IDX files)",
    "images", {"mnist": "", "n_train": 10_000, "n_val": 1_000, "n_test": 5_000,
               "max_train_sum": 0}, _generate)
