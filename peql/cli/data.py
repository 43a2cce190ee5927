"""Command-line verbs of the data stage: ``peql simulate`` and ``peql derive``."""

from __future__ import annotations

import argparse
from typing import Any


def _assignment(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key.strip(), value.strip()


def _number_or_text(value: str) -> Any:
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return value


def _orders(text: str) -> list[int]:
    try:
        return [int(k) for k in text.split(",") if k.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None


def add_commands(sub) -> None:
    p = sub.add_parser("simulate", help="generate a benchmark system's dataset (zarr store)",
                       description="Generate a registered system's data with its ground truth.")
    p.add_argument("system", help="system name (see `peql list systems`)")
    p.add_argument("-o", "--output", required=True,
                   help="zarr store (a folder) to write; an existing peql dataset there is replaced, anything else refused")
    p.add_argument("--noise", type=float, default=0.0,
                   help="noise as a fraction of the std of the field or target (0.01 = 1%%)")
    p.add_argument("--seed", type=int, default=0, help="base random seed (default 0)")
    p.add_argument("--set", dest="settings", type=_assignment, action="append", default=[],
                   metavar="KEY=VALUE", help="override a system setting (repeatable)")
    p.set_defaults(func=_cmd_simulate)

    p = sub.add_parser("derive", help="PDE field -> features u, u_x, ... and target u_t",
                       description="Differentiate a simulated PDE field into the tabular layout.")
    p.add_argument("input", help="field store written by `peql simulate`")
    p.add_argument("-o", "--output", required=True,
                   help="zarr store (a folder) to write; an existing peql dataset there is replaced, anything else refused")
    p.add_argument("--method", required=True, help="space derivative method (`peql list derivatives`)")
    p.add_argument("--time-method", default="fd4", help="method for u_t (default fd4)")
    p.add_argument("--orders", "--order", dest="orders", type=_orders, default=None,
                   help="space-derivative orders, e.g. 1,2,3 (default: those of the true law)")
    p.add_argument("--cross-terms", action="store_true", help="add u*u_x, u*u_xx, ... as inputs")
    p.add_argument("--val-fraction", type=float, default=0.1,
                   help="fraction of each group held out as 'val' (default 0.1)")
    p.add_argument("--option", dest="options", type=_assignment, action="append", default=[],
                   metavar="KEY=VALUE", help="option of the space method, e.g. window=31")
    p.add_argument("--time-option", dest="time_options", type=_assignment, action="append",
                   default=[], metavar="KEY=VALUE", help="option of the time method")
    p.set_defaults(func=_cmd_derive)


def _cmd_simulate(args) -> int:
    from ..plugins import get_registry
    from ..data.store import check_dataset_output, write_dataset

    check_dataset_output(args.output)
    system = get_registry(args.plugins_dir).get("systems", args.system)
    ds = system.simulate(noise=args.noise, seed=args.seed, **dict(args.settings))
    path = write_dataset(ds, args.output)
    print(f"{system.name}: wrote {path} ({_summary(ds)})")
    return 0


def _cmd_derive(args) -> int:
    from ..plugins import get_registry
    from ..data.derive import derive_features
    from ..data.store import check_dataset_output, read_dataset, write_dataset

    check_dataset_output(args.output, inputs=[args.input])
    registry = get_registry(args.plugins_dir)
    field = read_dataset(args.input)
    ds = derive_features(
        field, registry.get("derivatives", args.method),
        time_method=registry.get("derivatives", args.time_method), orders=args.orders,
        cross_terms=args.cross_terms, val_fraction=args.val_fraction,
        options={k: _number_or_text(v) for k, v in args.options},
        time_options={k: _number_or_text(v) for k, v in args.time_options})
    path = write_dataset(ds, args.output)
    print(f"{ds.attrs['system']}: wrote {path} ({_summary(ds)})")
    return 0


def _summary(ds) -> str:
    if "feature" in ds.coords:
        names = ", ".join(map(str, ds["feature"].values))
        return f"{ds.sizes['sample']} samples; inputs {names}; target {ds.attrs['target_name']}"
    return ", ".join(f"{k}={v}" for k, v in ds.sizes.items())
