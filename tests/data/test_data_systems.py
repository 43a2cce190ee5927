"""Every built-in system: values match their formulas, the truth matches, settings and noise."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy as sp
from sympy.core.function import AppliedUndef

from peql.data import BUILTIN_SYSTEMS, input_names, split_arrays, true_coefficients
from peql.data.systems import analytic, eql_benchmark, springs

SYSTEMS = {s.name: s for s in BUILTIN_SYSTEMS}
ANALYTIC = ["f1_sgn", "f2_jagged_sin", "f3_linear", "f4_sin_coef", "f5_sin_freq"]


def truth_function(equation: str, names: list[str], param: str):
    """Lambdify a true equation with each coefficient function a(t) replaced by a symbol."""
    expr = sp.sympify(equation)
    coefs = sorted({f.func.__name__ for f in expr.atoms(AppliedUndef)})
    expr = expr.replace(lambda e: isinstance(e, AppliedUndef), lambda e: sp.Symbol(e.func.__name__))
    assert {str(s) for s in expr.free_symbols} <= set(names) | set(coefs) | {param}
    fn = sp.lambdify([*map(sp.Symbol, names), *map(sp.Symbol, coefs), sp.Symbol(param)], expr, "numpy")
    return fn, coefs


def predict_from_truth(ds, rows: np.ndarray) -> np.ndarray:
    """The target predicted by ``true_equation`` with ``true_coef`` at each row's parameter."""
    fn, coefs = truth_function(ds.attrs["true_equation"], input_names(ds), ds.attrs["param_name"])
    values, table = true_coefficients(ds)
    assert set(table) == set(coefs)
    param = ds["param"].values[rows]
    idx = np.searchsorted(values, param)
    assert np.array_equal(values[idx], param), "every parameter value has a true_coef row"
    x = ds["inputs"].values[rows]
    return fn(*x.T, *[table[c][idx] for c in coefs], param) * np.ones(len(rows))


@pytest.mark.parametrize("name", ANALYTIC)
def test_analytic_values_and_truth(name):
    ds = SYSTEMS[name].simulate(seed=3)
    rows = np.random.default_rng(0).choice(ds.sizes["sample"], 500, replace=False)
    x, t, y = ds["inputs"].values[rows, 0], ds["param"].values[rows], ds["target"].values[rows]
    formulas = {
        "f1_sgn": t * x**2 + 3 * np.sign(t) * x,
        "f2_jagged_sin": np.sin(np.where(t < 0, 0.5 * t + 2.5, np.where(t < 1.5, 2.5 - 0.5 * t, t + 0.25)) * x),
        "f3_linear": t * x,
        "f4_sin_coef": t * x**2 + 3 * np.sin(t) * x,
        "f5_sin_freq": np.sin((5 + t) / 2 * x),
    }
    np.testing.assert_allclose(y, formulas[name], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(predict_from_truth(ds, rows), y, rtol=1e-12, atol=1e-12)


def test_analytic_splits_domains_and_code_grid():
    ds = SYSTEMS["f1_sgn"].simulate()
    grid = analytic.t_grid("code")
    assert grid[63] == grid[64] == 0.0 and np.isclose(grid[8], -2.619, atol=1e-3)
    assert np.isclose(grid[104], 1.905, atol=1e-3)
    for split, n, half in (("train", 512, 3), ("val", 256, 5), ("test", 256, 5)):
        x, y, t = split_arrays(ds, split)
        assert x.shape == (128 * n, 1) and y.shape == t.shape == (128 * n,)
        assert np.abs(x).max() <= half and np.abs(x).max() > 0.99 * half
        values, counts = np.unique(t, return_counts=True)
        assert len(values) == 127 and counts[values == 0] == 2 * n  # t = 0 twice
    # val and test are separate draws on the same domain
    assert not np.allclose(split_arrays(ds, "val")[0], split_arrays(ds, "test")[0])
    values, table = true_coefficients(ds)
    np.testing.assert_array_equal(values, np.unique(grid))
    np.testing.assert_array_equal(table["b"], 3 * np.sign(values))
    assert table["b"][values == 0] == 0


def test_uniform_grid_option():
    ds = SYSTEMS["f3_linear"].simulate(grid="uniform", n_train=8, n_val=4, n_test=4)
    np.testing.assert_allclose(true_coefficients(ds)[0], np.linspace(-3, 3, 128))
    assert json.loads(ds.attrs["settings"])["grid"] == "uniform"


def test_seed_and_noise():
    sys = SYSTEMS["f4_sin_coef"]
    small = dict(n_t=16, n_train=256, n_val=64, n_test=64)
    a, b = sys.simulate(seed=1, **small), sys.simulate(seed=1, **small)
    np.testing.assert_array_equal(a["inputs"].values, b["inputs"].values)
    assert not np.array_equal(a["inputs"].values, sys.simulate(seed=2, **small)["inputs"].values)
    noisy = sys.simulate(seed=1, noise=0.05, **small)
    np.testing.assert_array_equal(noisy["inputs"].values, a["inputs"].values)  # same x draws
    settings = json.loads(noisy.attrs["settings"])
    assert settings["noise"] == 0.05 and settings["seed"] == 1 and settings["n_t"] == 16
    for split in ("train", "val"):
        clean_y, noisy_y = split_arrays(a, split)[1], split_arrays(noisy, split)[1]
        ratio = np.std(noisy_y - clean_y) / np.std(split_arrays(a, "train")[1])
        assert 0.045 < ratio < 0.055
    np.testing.assert_array_equal(split_arrays(noisy, "test")[1], split_arrays(a, "test")[1])


def test_unknown_and_bad_settings_are_named():
    sys = SYSTEMS["f1_sgn"]
    with pytest.raises(ValueError, match=r"no setting 'n_trian'.*known settings: .*n_train"):
        sys.simulate(n_trian=3)
    with pytest.raises(ValueError, match=r"n_train='many' is not a valid int"):
        sys.simulate(n_train="many")
    with pytest.raises(ValueError, match=r"grid='log' is not one of"):
        sys.simulate(grid="log")
    with pytest.raises(ValueError, match="noise"):
        sys.simulate(noise=-0.1)
    assert sys.resolve(n_train="16", t_max="2")["n_train"] == 16  # CLI strings are coerced


@pytest.mark.parametrize("function", list(eql_benchmark.FUNCTIONS))
def test_eql_benchmark_functions(function):
    ds = SYSTEMS["eql_benchmark"].simulate(function=function, seed=5)
    x, y, t = split_arrays(ds, "train")
    assert x.shape == (256, len(input_names(ds))) and np.abs(x).max() <= 1
    assert split_arrays(ds, "test")[0].shape[0] == 100 and np.abs(split_arrays(ds, "test")[0]).max() > 1
    assert np.all(t == 0) and ds.sizes["term"] == 0
    fn, coefs = truth_function(ds.attrs["true_equation"], input_names(ds), "t")
    assert coefs == []
    every = np.arange(ds.sizes["sample"])
    np.testing.assert_allclose(fn(*ds["inputs"].values.T, ds["param"].values) * np.ones(len(every)),
                               ds["target"].values, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ["spring_force", "spring_energy"])
def test_spring_images_targets_and_truth(name):
    ds = SYSTEMS[name].simulate(n_t=8, n_train=64, n_val=32, n_test=32, seed=4)
    psi, images, pixels = ds["inputs"].values, ds["images"].values, ds["pixel"].values
    assert images.shape == (ds.sizes["sample"], 2, 64) and images.dtype == np.float32
    nearest = np.abs(pixels[None, None, :] - psi[:, :, None]).argmin(axis=2)
    np.testing.assert_array_equal(images.argmax(axis=2), nearest)  # peaks at the positions
    centroid = (images * pixels).sum(axis=2) / images.sum(axis=2)
    np.testing.assert_allclose(centroid, psi, atol=1e-3)
    np.testing.assert_allclose(images.sum(axis=2) * (pixels[1] - pixels[0]), 1.0, atol=1e-3)
    gap = np.abs(psi[:, 0] - psi[:, 1])
    labels = ds["split"].values
    assert gap[labels == "train"].max() <= 4 and gap[labels == "test"].max() > 4
    t = ds["param"].values
    k = (5 - t) / 2 if name == "spring_force" else (5 - t) / 4
    d = psi[:, 0] - psi[:, 1]
    np.testing.assert_allclose(ds["target"].values, k * d if name == "spring_force" else k * d**2,
                               rtol=1e-12)
    rows = np.arange(ds.sizes["sample"])
    np.testing.assert_allclose(predict_from_truth(ds, rows), ds["target"].values, rtol=1e-12)


def test_spring_training_pairs_at_paper_size():
    psi = springs.draw_pairs(np.random.default_rng(0), 128, 512, 3.0, 4.0)
    assert psi.shape == (128, 512, 2) and np.abs(psi[..., 0] - psi[..., 1]).max() <= 4
    # rejection keeps the uniform law on the allowed band: P(|gap| <= 1) = (11/36) / (8/9)
    frac = np.mean(np.abs(psi[..., 0] - psi[..., 1]) <= 1)
    assert abs(frac - (11 / 36) / (8 / 9)) < 0.01


def test_digit_pairs_carry_their_sums():
    from sklearn.datasets import load_digits

    ds = SYSTEMS["digit_sum"].simulate(n_train=500, n_val=100, n_test=200, seed=2)
    bunch = load_digits()
    lookup = {img.astype(np.uint8).tobytes(): int(lab) for img, lab in zip(bunch.images, bunch.target)}
    images = np.rint(ds["images"].values * 16).astype(np.uint8)
    shown = np.array([[lookup[im.tobytes()] for im in pair] for pair in images])
    np.testing.assert_array_equal(shown, ds["inputs"].values)
    np.testing.assert_array_equal(ds["target"].values, shown.sum(axis=1))
    assert ds.attrs["true_equation"] == "psi1 + psi2"


def test_digit_sum_extrapolation_filter():
    ds = SYSTEMS["digit_sum"].simulate(n_train=300, n_val=50, n_test=100, max_train_sum=15)
    y, split = ds["target"].values, ds["split"].values
    assert y[split != "test"].max() < 15 and y[split == "test"].min() >= 15


def test_digit_sum_from_mnist_idx_files(tmp_path):
    import gzip

    rng = np.random.default_rng(0)

    def idx(path, array, zipped):
        header = bytes([0, 0, 8, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
        raw = header + array.astype(np.uint8).tobytes()
        path.write_bytes(gzip.compress(raw) if zipped else raw)

    labels = {"train": rng.integers(0, 10, 60), "t10k": rng.integers(0, 10, 20)}
    images = {k: np.where(np.arange(28)[None, None, :] == v[:, None, None], 255, 0) *
              np.ones((1, 28, 1), dtype=int) for k, v in labels.items()}  # label drawn as a column
    for k in labels:
        idx(tmp_path / f"{k}-images-idx3-ubyte.gz", images[k], True)
        idx(tmp_path / f"{k}-labels-idx1-ubyte", labels[k], False)
    ds = SYSTEMS["digit_sum"].simulate(mnist=str(tmp_path), n_train=50, n_val=10, n_test=30)
    assert ds["images"].shape == (90, 2, 28, 28)
    shown = ds["images"].values[:, :, 0, :].argmax(axis=2)
    np.testing.assert_array_equal(shown, ds["inputs"].values)
    np.testing.assert_array_equal(ds["target"].values, shown.sum(axis=1))
    (tmp_path / "t10k-images-idx3-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte"):
        SYSTEMS["digit_sum"].simulate(mnist=str(tmp_path))


@pytest.mark.parametrize("name", ["kinematics", "sho"])
def test_trajectories_follow_their_exact_one_step_map(name):
    ds = SYSTEMS[name].simulate(seed=1)
    eqs = json.loads(ds.attrs["true_equation"])
    param_name = ds.attrs["param_name"]
    values = ds["param_value"].values
    table = {str(t): ds["true_coef"].values[:, i] for i, t in enumerate(ds["term"].values)}
    idx = np.searchsorted(values, ds["param"].values)
    for key in ("encoder_series", "series"):
        s = ds[key].values  # (sample, step, state)
        u, v = s[:, :-1, 0], s[:, :-1, 1]
        for j, state in enumerate(["u", "v"]):
            fn, coefs = truth_function(eqs[state], ["u", "v"], param_name)
            pred = fn(u, v, *[table[c][idx][:, None] for c in coefs], ds["param"].values[:, None])
            np.testing.assert_allclose(pred, s[:, 1:, j], rtol=1e-9, atol=1e-9 * np.abs(s).max())
    p = ds["param"].values
    lo, hi = (-1, 1) if name == "kinematics" else (0.1, 1)
    assert p.min() >= lo and p.max() <= hi
    assert ds.sizes["sample"] == (220 if name == "kinematics" else 2200)


def test_trajectory_noise_spares_test_series():
    sys = SYSTEMS["sho"]
    small = dict(n_train=50, n_val=10, n_test=20, steps_in=50)
    clean, noisy = sys.simulate(**small), sys.simulate(noise=0.02, **small)
    diff = noisy["series"].values - clean["series"].values
    test = clean["split"].values == "test"
    assert np.all(diff[test] == 0) and np.all(np.abs(diff[~test]).max(axis=(1, 2)) > 0)


def test_every_system_has_a_name_description_and_valid_kind():
    assert set(SYSTEMS) == {*ANALYTIC, "eql_benchmark", "advection_diffusion", "burgers",
                            "kuramoto_sivashinsky", "spring_force", "spring_energy", "kinematics",
                            "sho", "digit_sum"}
    for sys in BUILTIN_SYSTEMS:
        assert sys.name.islower() and sys.description and "\n" not in sys.description
        assert sys.kind in ("tabular", "field", "images", "trajectories")
