"""The ``peql`` command line, on top of everything: each module of this package contributes its
verbs through ``add_commands(subparsers)``, listed in ``_COMMAND_MODULES``."""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading

from ..registry import KINDS, RegistryError

#: Modules that define ``add_commands(subparsers)``; each verb sets ``func(args) -> int``.
_COMMAND_MODULES = (
    "peql.cli",
    "peql.cli.data",
    "peql.cli.fit",
    "peql.cli.baseline",
    "peql.cli.discover",
    "peql.cli.bench",
    "peql.cli.suite",
)


def add_commands(sub) -> None:
    p = sub.add_parser("list", help="print every registered component by kind, with its provider")
    p.add_argument("kind", nargs="?", choices=KINDS, help="only this kind")
    p.set_defaults(func=_cmd_list)


def _cmd_list(args) -> int:
    from ..plugins import get_registry

    registry = get_registry(args.plugins_dir)
    for kind in [args.kind] if args.kind else KINDS:
        print(f"{kind}:")
        entries = list(registry.entries(kind))
        if not entries:
            print("  (none)")
        for e in entries:
            desc = getattr(e.component, "description", "") or ""
            print(f"  {e.name:<24} {e.provenance.describe():<32} {desc}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="peql", description=__doc__.splitlines()[0])
    parser.add_argument("--plugins-dir", default=None,
                        help="folder of local plugin *.py files (default: $PEQL_PLUGINS_DIR or ./plugins)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in _COMMAND_MODULES:
        importlib.import_module(name).add_commands(sub)
    return parser


class Terminated(KeyboardInterrupt):
    """SIGTERM (``timeout``, a scheduler cancelling the job), handled like Ctrl-C."""


def _terminate(signum, frame):
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main_thread else None
    try:
        return int(args.func(args) or 0)
    except (RegistryError, ValueError, OSError) as exc:
        print(f"peql {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:  # every stage writes atomically: nothing half-written is left
        what = "terminated" if isinstance(exc, Terminated) else "interrupted"
        print(f"peql {args.command}: {what}; no partial output was left behind", file=sys.stderr)
        return 143 if isinstance(exc, Terminated) else 130
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
