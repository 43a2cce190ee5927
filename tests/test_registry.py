import subprocess
import sys
import textwrap

import pytest

import peql
from peql.registry import DuplicateComponentError, RegistryError, UnknownComponentError

from helpers import REPO

PRIMITIVES = {"constant", "identity", "square", "sin", "product", "exp", "sigmoid"}


def test_builtins_registered_with_provenance(registry):
    assert PRIMITIVES <= set(registry.names("primitives"))
    assert {"eql", "seql", "heql", "mlp"} <= set(registry.names("architectures"))
    entry = registry.entry("architectures", "seql")
    assert entry.provenance.plugin == "peql.builtin"
    assert entry.provenance.version == peql.__version__


def test_unknown_name_lists_known_and_suggests(registry):
    with pytest.raises(UnknownComponentError, match=r"unknown architecture 'sequl'.*seql.*Did you mean 'seql'"):
        registry.get("architectures", "sequl")


def _write(path, body):
    path.write_text(textwrap.dedent(body))
    return path


def test_local_plugin_folder_is_loaded(tmp_path):
    _write(tmp_path / "cubes.py", """
        import peql
        @peql.hookimpl
        def register_primitives(register):
            register(peql.Primitive("cube", 1, lambda g: g**3, lambda g: g**3))
    """)
    reg = peql.load_registry(tmp_path, autoload=False)
    entry = reg.entry("primitives", "cube")
    assert entry.provenance.plugin == "local:cubes.py"
    assert entry.provenance.version.startswith("sha256:")


def test_duplicate_name_names_component_and_both_providers(tmp_path):
    _write(tmp_path / "clash.py", """
        import peql
        @peql.hookimpl
        def register_primitives(register):
            register(peql.Primitive("square", 1, lambda g: g*g, lambda g: g**2))
    """)
    with pytest.raises(DuplicateComponentError) as err:
        peql.load_registry(tmp_path, autoload=False)
    msg = str(err.value)
    assert "'square'" in msg and "peql.builtin" in msg and "local:clash.py" in msg


def test_misspelled_hook_fails_loudly(tmp_path):
    _write(tmp_path / "typo.py", """
        import peql
        @peql.hookimpl
        def register_primitve(register):
            pass
    """)
    with pytest.raises(Exception, match="register_primitve"):
        peql.load_registry(tmp_path, autoload=False)


def test_invalid_component_is_refused(tmp_path):
    _write(tmp_path / "bad.py", """
        import peql
        @peql.hookimpl
        def register_primitives(register):
            register(object())
    """)
    with pytest.raises(RegistryError, match="invalid name"):
        peql.load_registry(tmp_path, autoload=False)


def test_fresh_manager_per_load(tmp_path):
    _write(tmp_path / "cubes.py", """
        import peql
        @peql.hookimpl
        def register_primitives(register):
            register(peql.Primitive("cube", 1, lambda g: g**3, lambda g: g**3))
    """)
    empty = tmp_path / "empty"
    empty.mkdir()
    with_plugin = peql.load_registry(tmp_path, autoload=False)
    without = peql.load_registry(empty, autoload=False)
    assert ("primitives", "cube") in with_plugin
    assert ("primitives", "cube") not in without


def test_fingerprint_tracks_only_used_components(tmp_path):
    plugin = _write(tmp_path / "cubes.py", """
        import peql
        @peql.hookimpl
        def register_primitives(register):
            register(peql.Primitive("cube", 1, lambda g: g**3, lambda g: g**3))
    """)
    reg1 = peql.load_registry(tmp_path, autoload=False)
    plugin.write_text(plugin.read_text() + "\n# edited\n")
    reg2 = peql.load_registry(tmp_path, autoload=False)
    used = [("primitives", "cube"), ("architectures", "seql")]
    unrelated = [("primitives", "sin"), ("architectures", "seql")]
    assert peql.fingerprint(reg1, used) != peql.fingerprint(reg2, used)
    assert peql.fingerprint(reg1, unrelated) == peql.fingerprint(reg2, unrelated)


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "peql.cli", *args], capture_output=True, text=True, cwd=cwd,
                          env={**__import__("os").environ, "PEQL_DISABLE_PLUGIN_AUTOLOAD": "1"})


def test_cli_list_shows_components_and_dropin_plugin(tmp_path):
    out = _cli("--plugins-dir", str(REPO / "plugins"), "list", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    for name in PRIMITIVES | {"eql", "seql", "heql", "mlp", "cube", "gaussian"}:
        assert f"\n  {name} " in out.stdout
    assert "local:example_primitives.py" in out.stdout


def test_cli_duplicate_exits_nonzero_naming_it(tmp_path):
    _write(tmp_path / "clash.py", """
        import peql
        @peql.hookimpl
        def register_architectures(register):
            register(peql.Architecture("seql", lambda ctx: None))
    """)
    out = _cli("--plugins-dir", str(tmp_path), "list", cwd=tmp_path)
    assert out.returncode != 0
    assert "duplicate architecture 'seql'" in out.stderr
