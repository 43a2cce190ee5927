"""``peql simulate``, ``peql derive`` and ``peql list`` for the data stage."""

from __future__ import annotations

import json

import numpy as np
import pytest

from peql.cli import main
from peql.data import read_dataset, split_arrays
from peql.plugins import load_registry


@pytest.fixture(autouse=True)
def _no_plugin_autoload(monkeypatch, tmp_path):
    monkeypatch.setenv("PEQL_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("PEQL_PLUGINS_DIR", str(tmp_path / "no-plugins"))
    (tmp_path / "no-plugins").mkdir()


def test_simulate_with_settings_noise_and_seed(tmp_path, capsys):
    out = tmp_path / "f5.zarr"
    rc = main(["simulate", "f5_sin_freq", "-o", str(out), "--noise", "0.01", "--seed", "4",
               "--set", "n_t=8", "--set", "grid=uniform", "--set", "n_train=32"])
    assert rc == 0 and "f5_sin_freq: wrote" in capsys.readouterr().out
    ds = read_dataset(out)
    settings = json.loads(ds.attrs["settings"])
    assert settings["grid"] == "uniform" and settings["n_t"] == 8 and settings["seed"] == 4
    assert settings["noise"] == 0.01 and split_arrays(ds, "train")[0].shape == (8 * 32, 1)


def test_simulate_errors_name_the_problem(tmp_path, capsys):
    assert main(["simulate", "burgres", "-o", str(tmp_path / "x.zarr")]) == 2
    assert "Did you mean 'burgers'" in capsys.readouterr().err
    assert main(["simulate", "burgers", "-o", str(tmp_path / "x.zarr"), "--set", "nx=3"]) == 2
    err = capsys.readouterr().err
    assert "no setting 'nx'" in err and "n_space" in err
    assert not (tmp_path / "x.zarr").exists()


def test_derive_from_the_command_line(tmp_path):
    field, feats = tmp_path / "burgers.zarr", tmp_path / "features.zarr"
    assert main(["simulate", "burgers", "-o", str(field), "--set", "n_time=64",
                 "--set", "t_end=2.5", "--set", "n_space=128", "--noise", "0.001"]) == 0
    assert main(["derive", str(field), "-o", str(feats), "--method", "savgol", "--cross-terms",
                 "--option", "window=21", "--time-method", "savgol",
                 "--time-option", "window=15", "--time-option", "cross_window=0"]) == 0
    ds = read_dataset(feats)
    assert list(map(str, ds["feature"].values)) == ["u", "u_x", "u_xx", "u_u_x", "u_u_xx"]
    derive = json.loads(ds.attrs["settings"])["derive"]
    assert derive["options"] == {"window": 21} and derive["time_options"]["cross_window"] == 0
    assert ds.sizes["sample"] == 64 * 128 and np.all(np.isfinite(ds["inputs"].values))


def test_derive_refuses_bad_requests(tmp_path, capsys):
    field = tmp_path / "ad.zarr"
    main(["simulate", "advection_diffusion", "-o", str(field), "--set", "n_time=32"])
    assert main(["derive", str(field), "-o", str(tmp_path / "o.zarr"), "--method", "nope"]) == 2
    assert "unknown derivative 'nope'" in capsys.readouterr().err
    assert main(["derive", str(field), "-o", str(tmp_path / "o.zarr"), "--method", "savgol",
                 "--option", "width=3"]) == 2
    assert "no option 'width'" in capsys.readouterr().err
    tab = tmp_path / "tab.zarr"
    main(["simulate", "f3_linear", "-o", str(tab), "--set", "n_t=4"])
    assert main(["derive", str(tab), "-o", str(tmp_path / "o.zarr"), "--method", "fd4"]) == 2
    assert "needs a field dataset" in capsys.readouterr().err


def test_list_shows_systems_and_derivatives(capsys):
    assert main(["list", "systems"]) == 0
    out = capsys.readouterr().out
    assert "kuramoto_sivashinsky" in out and "peql.builtin" in out and "ETDRK4" in out
    assert main(["list", "derivatives"]) == 0
    out = capsys.readouterr().out
    for name in ("spectral", "fd2", "fd4", "savgol"):
        assert f"  {name} " in out


def test_registry_records_every_builtin_component():
    registry = load_registry(autoload=False)
    assert len(registry.names("systems")) == 14
    assert registry.names("derivatives") == ["fd2", "fd4", "savgol", "spectral"]
    assert registry.entry("systems", "burgers").provenance.plugin == "peql.builtin"
