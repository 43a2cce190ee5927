"""zarr storage: round trips, refusal of foreign or bad stores, atomic writes, validation."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from peql.data import (
    BUILTIN_SYSTEMS,
    DatasetError,
    input_names,
    read_dataset,
    split_arrays,
    true_coefficients,
    validate_dataset,
    write_dataset,
)

SYSTEMS = {s.name: s for s in BUILTIN_SYSTEMS}
SMALL = {
    "f1_sgn": dict(n_t=8, n_train=16, n_val=8, n_test=8),
    "eql_benchmark": dict(function="sin_sum"),
    "burgers": dict(n_time=32, t_end=1.0, n_space=64),
    "spring_energy": dict(n_t=4, n_train=8, n_val=4, n_test=4),
    "kinematics": dict(n_train=5, n_val=2, n_test=3, steps_in=10, steps_out=4),
    "digit_sum": dict(n_train=20, n_val=5, n_test=5),
}


@pytest.mark.parametrize("name", SMALL)
def test_round_trip_is_identical(tmp_path, name):
    ds = SYSTEMS[name].simulate(noise=0.01, seed=3, **SMALL[name])
    path = write_dataset(ds, tmp_path / f"{name}.zarr")
    back = read_dataset(path)
    xr.testing.assert_identical(back, ds)
    if "feature" in ds.coords:
        assert input_names(back) == input_names(ds)
        assert back["split"].values.dtype.kind == "U"
        for split in ("train", "val", "test"):
            for a, b in zip(split_arrays(back, split), split_arrays(ds, split)):
                np.testing.assert_array_equal(a, b)


def test_strings_are_stored_as_codes_without_warnings(tmp_path):
    ds = SYSTEMS["f1_sgn"].simulate(**SMALL["f1_sgn"])
    path = write_dataset(ds, tmp_path / "d.zarr")  # warnings are errors in this suite
    raw = xr.open_dataset(path, engine="zarr", consolidated=False, chunks=None)
    assert raw["split"].dtype == np.int8 and raw["split"].attrs["peql_categories"] == ["test", "train", "val"]
    assert raw["feature"].attrs["peql_categories"] == ["x"]
    raw.close()
    assert not (path / "zarr.json").read_text().count('"consolidated_metadata": {')


def test_true_coefficients_and_settings(tmp_path):
    ds = read_dataset(write_dataset(SYSTEMS["f1_sgn"].simulate(**SMALL["f1_sgn"]), tmp_path / "d.zarr"))
    values, table = true_coefficients(ds)
    np.testing.assert_array_equal(table["a"], values)
    assert json.loads(ds.attrs["settings"])["n_t"] == 8
    with pytest.raises(ValueError, match="no ground truth"):
        true_coefficients(ds.drop_vars("true_coef"))


def test_non_peql_store_is_refused_naming_what_is_missing(tmp_path):
    path = tmp_path / "foreign.zarr"
    xr.Dataset({"temperature": ("time", np.arange(4.0))}).to_zarr(path, consolidated=False,
                                                                  zarr_format=3)
    with pytest.raises(DatasetError, match=r"not a peql dataset: missing attribute "
                                           r"'peql_dataset_version'.*temperature"):
        read_dataset(path)
    (tmp_path / "plain").mkdir()
    with pytest.raises(DatasetError, match="not a zarr .*zarr.json"):
        read_dataset(tmp_path / "plain")
    with pytest.raises(FileNotFoundError):
        read_dataset(tmp_path / "absent.zarr")


def test_store_missing_a_variable_is_refused_by_name(tmp_path):
    ds = SYSTEMS["f1_sgn"].simulate(**SMALL["f1_sgn"])
    path = tmp_path / "broken.zarr"
    from peql.data.store import _encode_strings

    _encode_strings(ds.drop_vars("target")).to_zarr(path, consolidated=False, zarr_format=3)
    with pytest.raises(DatasetError, match=r"broken.zarr.*missing variable 'target'"):
        read_dataset(path)


def test_interrupted_write_leaves_no_complete_looking_store(tmp_path, monkeypatch):
    path = tmp_path / "d.zarr"
    ds = SYSTEMS["f1_sgn"].simulate(**SMALL["f1_sgn"])
    real = xr.Dataset.to_zarr

    def crash_midway(self, store, *args, **kwargs):
        real(self[["inputs"]], store, *args, **kwargs)  # part of the store is on disk ...
        raise KeyboardInterrupt  # ... when the run is interrupted

    monkeypatch.setattr(xr.Dataset, "to_zarr", crash_midway)
    with pytest.raises(KeyboardInterrupt):
        write_dataset(ds, path)
    assert not path.exists() and list(tmp_path.iterdir()) == []

    monkeypatch.setattr(xr.Dataset, "to_zarr", real)
    write_dataset(ds, path)
    monkeypatch.setattr(xr.Dataset, "to_zarr", crash_midway)
    with pytest.raises(KeyboardInterrupt):
        write_dataset(ds.isel(sample=slice(0, 10)), path)
    xr.testing.assert_identical(read_dataset(path), ds)  # the old store is untouched
    assert [p.name for p in tmp_path.iterdir()] == ["d.zarr"]


def test_overwrite_replaces_the_store(tmp_path):
    path = tmp_path / "d.zarr"
    write_dataset(SYSTEMS["f1_sgn"].simulate(**SMALL["f1_sgn"]), path)
    new = SYSTEMS["f3_linear"].simulate(**SMALL["f1_sgn"])
    write_dataset(new, path)
    xr.testing.assert_identical(read_dataset(path), new)
    assert [p.name for p in tmp_path.iterdir()] == ["d.zarr"]


def test_validation_names_the_variable_and_problem(tmp_path):
    ds = SYSTEMS["f1_sgn"].simulate(**SMALL["f1_sgn"])
    bad = ds.copy(deep=True)
    bad["target"].values[3] = np.nan
    with pytest.raises(DatasetError, match=r"variable 'target' holds 1 NaN/inf"):
        validate_dataset(bad)
    with pytest.raises(DatasetError, match=r"variable 'target' holds 1 NaN/inf"):
        write_dataset(bad, tmp_path / "bad.zarr")
    assert not (tmp_path / "bad.zarr").exists()
    bad = ds.copy(deep=True)
    bad["split"].values[0] = "hold"
    with pytest.raises(DatasetError, match=r"'split' holds unknown label\(s\) \[.hold.\]"):
        validate_dataset(bad)
    bad = ds.assign(target=(("sample", "extra"), ds["target"].values[:, None]))
    with pytest.raises(DatasetError, match=r"variable 'target' has dims \('sample', 'extra'\)"):
        validate_dataset(bad)
    bad = ds.assign_coords(feature=["x y"])
    with pytest.raises(DatasetError, match="non-identifier name"):
        validate_dataset(bad)
    bad = ds.copy()
    del bad.attrs["param_name"]
    with pytest.raises(DatasetError, match="missing attribute 'param_name'"):
        validate_dataset(bad)


def test_split_arrays_refuses_unknown_or_empty_splits():
    ds = SYSTEMS["f1_sgn"].simulate(**SMALL["f1_sgn"])
    with pytest.raises(ValueError, match="unknown split 'training'"):
        split_arrays(ds, "training")
    only_train = ds.isel(sample=ds["split"].values == "train")
    with pytest.raises(ValueError, match=r"no 'test' samples; it has: \['train'\]"):
        split_arrays(only_train, "test")
    field = SYSTEMS["burgers"].simulate(**SMALL["burgers"])
    with pytest.raises(ValueError, match="run `peql derive`"):
        split_arrays(field, "train")


def test_user_table_without_truth_round_trips(tmp_path):
    from peql.data import tabular_dataset

    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 2))
    ds = tabular_dataset(inputs=x, target=x[:, 0] * x[:, 1], param=np.repeat([1.0, 2.0], 20),
                         split=np.where(np.arange(40) % 5, "train", "val"),
                         feature_names=["p", "q"], system="my_table", score_split="val")
    assert "true_coef" not in ds and "true_equation" not in ds.attrs
    back = read_dataset(write_dataset(ds, tmp_path / "user.zarr"))
    xr.testing.assert_identical(back, ds)
    with pytest.raises(ValueError, match="no ground truth"):
        true_coefficients(back)
