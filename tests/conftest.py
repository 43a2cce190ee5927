import os
import pytest
import torch

@pytest.fixture(autouse=True, scope="session")
def _quiet_env():
    # Tests must not pick up plugins from an installed environment or the caller's folder.
    os.environ["PEQL_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    os.environ.pop("PEQL_PLUGINS_DIR", None)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    yield


@pytest.fixture()
def registry(tmp_path, monkeypatch):
    """The built-in registry only (no local plugins)."""
    import peql

    monkeypatch.chdir(tmp_path)
    return peql.load_registry(plugins_dir=None, autoload=False)
