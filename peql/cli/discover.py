"""``peql discover``: the command-line verb of :func:`peql.discover.discover`."""

from __future__ import annotations

from ..discover.user_data import MIN_SAMPLES_PER_VALUE


def _split_list(text: str | None) -> list[str] | None:
    return None if text is None else [s.strip() for s in text.split(",") if s.strip()]


def parse_units(text: str | None) -> list | None:
    """``--primitives``: comma-separated ``name:count``, each optionally with constant parameters
    after ``@``, e.g. ``sin:2@frequency=4*pi`` (values may be SymPy numbers such as ``4*pi``)."""
    import sympy

    units = []
    for item in _split_list(text) or []:
        head, _, params = item.partition("@")
        if not params:
            units.append(head)
            continue
        name, _, count = head.partition(":")
        values = {}
        for assignment in params.split(";"):
            key, sep, value = assignment.partition("=")
            try:
                values[key.strip()] = float(sympy.sympify(value))
            except (sympy.SympifyError, TypeError, ValueError):
                raise ValueError(f"--primitives: bad parameter {assignment!r} in {item!r}; expected KEY=NUMBER") from None
            if not sep:
                raise ValueError(f"--primitives: bad parameter {assignment!r} in {item!r}; expected KEY=NUMBER")
        units.append({"name": name.strip(), "count": int(count or 1), "params": values})
    return units or None


def add_commands(sub) -> None:
    p = sub.add_parser("discover", help="discover the parametric law in a table (CSV, NetCDF, zarr)",
                       description="Discover the parametric law in a table of measurements: its structure, "
                       "coefficient curves and closed forms for them. Writes equations.json, coefficients.csv/.zarr, "
                       "figures, the model checkpoint and summary.txt into OUTPUT.")
    p.add_argument("data", help="table in long format: CSV, NetCDF (.nc) or zarr; a 'split' column is honoured")
    p.add_argument("-o", "--output", required=True,
                   help="results folder to create (or an empty one); --overwrite replaces earlier discover results")
    p.add_argument("--target", help="target column (the left-hand side)")
    p.add_argument("--inputs", help="comma-separated input columns (default: every other column)")
    p.add_argument("--param", help="parameter column: what the coefficients vary with")
    p.add_argument("--arch", default="auto", help="seql, heql or auto (default: seql for few values with "
                   f">= {MIN_SAMPLES_PER_VALUE} samples each, else heql)")
    p.add_argument("--trials", type=int, default=8, help="networks trained at once; the best is kept (default 8)")
    p.add_argument("--steps", type=int, help="training steps (default: seql 3000, heql 4000)")
    p.add_argument("--device", default="auto", help="auto (CUDA when present), cpu or cuda")
    p.add_argument("--primitives", help="unit groups per layer (default constant:2,identity:4,square:4,sin:2,product:2); "
                   "constant parameters after @, e.g. sin:2@frequency=4*pi")
    p.add_argument("--seed", type=int, default=0, help="seed of initialisation, minibatches and hold-out (default 0)")
    p.add_argument("--threshold", type=float, help="drop terms below this in the network's units: largest value over the inputs' box / target range (default 0.01)")
    p.add_argument("--closed-form-rtol", type=float, default=0.02,
                   help="closed forms must fit the curve within this share of its RMS (default 0.02)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace the results of an earlier peql discover in OUTPUT (never other files)")
    p.add_argument("--progress", action="store_true", help="a progress bar instead of a log line every 10 %%")
    p.set_defaults(func=_cmd_discover)


def _cmd_discover(args) -> int:
    from ..discover import discover
    from ..plugins import get_registry

    from ..symbolic.readout import check_threshold

    if args.trials < 1 or (args.steps is not None and args.steps < 1):
        raise ValueError("--trials and --steps must be at least 1")
    if args.threshold is not None:
        check_threshold(args.threshold, "--threshold")
    discover(args.data, args.output, args.target, _split_list(args.inputs), args.param, args.arch, args.trials,
             args.steps, args.device, parse_units(args.primitives), args.seed, args.threshold, args.closed_form_rtol,
             args.overwrite, get_registry(args.plugins_dir), True if args.progress else "log")
    return 0
