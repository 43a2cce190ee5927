"""Plugin loading: built-ins, then entry points, then the local plugins folder.

A fresh :class:`pluggy.PluginManager` is made for every load, so two registries never share
state (tests load plugins from temporary folders side by side).
"""

from __future__ import annotations

import difflib
import hashlib
import importlib.metadata
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pluggy

from . import hookspecs
from .registry import KINDS, Provenance, Registry, RegistryError

ENV_DISABLE_AUTOLOAD = "PEQL_DISABLE_PLUGIN_AUTOLOAD"
ENV_PLUGINS_DIR = "PEQL_PLUGINS_DIR"
DEFAULT_PLUGINS_DIR = "plugins"

_cache: dict[tuple, Registry] = {}


def default_plugins_dir() -> Path | None:
    """``$PEQL_PLUGINS_DIR`` if set, else ``./plugins`` when that folder exists."""
    env = os.environ.get(ENV_PLUGINS_DIR)
    if env:
        return Path(env)
    local = Path.cwd() / DEFAULT_PLUGINS_DIR
    return local if local.is_dir() else None


def _autoload_enabled() -> bool:
    return os.environ.get(ENV_DISABLE_AUTOLOAD, "").strip().lower() not in ("1", "true", "yes")


def _content_hash(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _load_local_module(path: Path) -> ModuleType:
    name = f"peql_local_plugins.{path.stem}_{hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:8]}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise RegistryError(f"cannot import local plugin {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        raise RegistryError(f"local plugin {path} failed to import: {exc!r}") from exc
    return module


def load_registry(plugins_dir: str | os.PathLike | None = None, *, autoload: bool | None = None) -> Registry:
    """Build a registry from scratch.

    Args:
        plugins_dir: folder whose ``*.py`` files are loaded as local plugins; defaults to
            :func:`default_plugins_dir`.
        autoload: load installed distributions' entry points (group ``peql``); defaults to on
            unless ``PEQL_DISABLE_PLUGIN_AUTOLOAD=1``.

    Raises:
        RegistryError: a duplicate name, an invalid component, a plugin that fails to import, or
            a hook implementation that matches no hook (a misspelled hook name).
    """
    from . import builtin
    from ._version import __version__

    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    provenance: dict[str, Provenance] = {}

    pm.register(builtin, name="peql.builtin")
    provenance["peql.builtin"] = Provenance("peql.builtin", __version__)

    if autoload if autoload is not None else _autoload_enabled():
        for ep in importlib.metadata.entry_points(group=hookspecs.PROJECT_NAME):
            plugin = ep.load()
            dist = ep.dist
            pname = f"{dist.name if dist else 'entry-point'}:{ep.name}"
            pm.register(plugin, name=pname)
            provenance[pname] = Provenance(pname, dist.version if dist else "unknown")

    folder = Path(plugins_dir) if plugins_dir is not None else default_plugins_dir()
    if folder is not None:
        if not folder.is_dir():
            raise RegistryError(f"plugins folder {folder} does not exist")
        for path in sorted(folder.glob("*.py")):
            if path.name.startswith("_"):
                continue
            module = _load_local_module(path)
            pname = f"local:{path.name}"
            check_hook_names(module, pname)
            pm.register(module, name=pname)
            provenance[pname] = Provenance(pname, _content_hash(path), str(path.resolve()))

    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:  # a marked function that matches no hook
        raise RegistryError(f"plugin {pm.get_name(exc.plugin)}: {str(exc).splitlines()[0]}") from None

    registry = Registry()
    _install_validators(registry)
    for kind in KINDS:
        caller = getattr(pm.hook, f"register_{kind}")
        for impl in reversed(caller.get_hookimpls()):  # registration order
            prov = provenance[impl.plugin_name]
            impl.function(register=lambda component, _k=kind, _p=prov: registry.add(_k, component, _p))
    check_primitives(registry)
    return registry


_HOOKS = tuple(f"register_{kind}" for kind in KINDS)


def check_hook_names(module: ModuleType, plugin: str) -> None:
    """Refuse, in one line, a hook function that pluggy would silently ignore (defined without
    ``@peql.hookimpl``) or reject with a long traceback (a misspelled hook name)."""
    marker = f"{hookspecs.PROJECT_NAME}_impl"
    for name, value in vars(module).items():
        if not (name.startswith("register_") and callable(value)):
            continue
        if getattr(value, "__module__", module.__name__) != module.__name__:
            continue  # imported from elsewhere, not this plugin's own definition
        marked = hasattr(value, marker)
        if name not in _HOOKS:
            close = difflib.get_close_matches(name, _HOOKS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; hooks: {', '.join(_HOOKS)}"
            if marked or close:
                raise RegistryError(f"plugin {plugin}: {name!r} is not a peql hook{hint}")
        elif not marked:
            raise RegistryError(f"plugin {plugin}: {name}() is not marked with @peql.hookimpl, so peql would "
                                "ignore it; add the decorator")


def check_primitives(registry: Registry) -> None:
    """Refuse a primitive whose torch and SymPy forms disagree (it would print a wrong law), naming
    the plugin that registered it (``peql.testing.check_primitive``)."""
    from .testing import check_primitive

    for entry in registry.entries("primitives"):
        try:
            check_primitive(entry.component)
        except AssertionError as exc:
            raise RegistryError(f"plugin {entry.provenance.describe()} is refused: {exc}") from None
        except Exception as exc:  # a form that fails to evaluate at all
            raise RegistryError(f"plugin {entry.provenance.describe()}: primitive {entry.name!r} is refused: its "
                                f"forms cannot be checked ({type(exc).__name__}: {exc})") from None


def get_registry(plugins_dir: str | os.PathLike | None = None) -> Registry:
    """A cached :func:`load_registry` keyed by the plugins folder and its files' contents."""
    folder = Path(plugins_dir) if plugins_dir is not None else default_plugins_dir()
    stamp: tuple = ()
    if folder is not None and folder.is_dir():
        stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("*.py")))
    key = (str(folder), stamp, _autoload_enabled())
    if key not in _cache:
        _cache[key] = load_registry(folder)
    return _cache[key]


def fingerprint(registry: Registry, components: list[tuple[str, str]]) -> str:
    """A short hash of the provenance of exactly ``components`` ((kind, name) pairs).

    Snakemake cannot see edits to imported code; a rule that passes this as a param reruns when
    (and only when) one of the components it uses changes provider, version or file content.
    """
    parts = []
    for kind, name in sorted(set(components)):
        prov = registry.entry(kind, name).provenance
        parts.append(f"{kind}/{name}={prov.plugin}@{prov.version}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def _install_validators(registry: Registry) -> None:
    from .nn.primitives import Primitive
    from .tasks.base import check_task_component

    def check_primitive(component):
        if not isinstance(component, Primitive):
            raise TypeError(f"expected a peql.Primitive, got {type(component).__name__}")

    def check_task(component):
        check_task_component(component)
        for entry in registry.entries("tasks"):
            taken = set(entry.component.kinds) & set(component.kinds)
            if taken:
                raise ValueError(f"dataset kind {sorted(taken)[0]!r} is already claimed by task {entry.name!r} "
                                 f"from {entry.provenance.describe()}")

    registry.set_validator("primitives", check_primitive)
    registry.set_validator("tasks", check_task)
