"""The linear baselines on the PDE benchmarks at the paper's size, scored by ``peql.evaluate``.

Run once to see the figures (about a minute on two cores)::

    python tools/paper_size.py                    # fd4 u_t (derive's default)
    python tools/paper_size.py --time-method fd2  # the coarser u_t of the reference notes

Burgers: 256 t-slices x 512 x-points; advection-diffusion: 256 x-points x 512 times; clean data,
spectral space derivatives. Each method runs on three libraries: the dataset derived with cross
terms (library "features": u, u_x, u_xx, u*u_x, u*u_xx), Rudy's products library built from
u, u_x, u_xx, and the plain features u, u_x, u_xx (no products).
"""

from __future__ import annotations

import argparse
from typing import Any, Sequence

import numpy as np

CASES = (  # (label, derive with cross terms, library setting)
    ("cross-term features", True, "features"),
    ("products library", False, "products"),
    ("no products", False, "features"),
)


def measure(system: str, *, time_method: str = "fd4", methods: Sequence[str] = ("sgtr", "sindy"),
            cases: Sequence[tuple[str, bool, str]] = CASES, registry=None) -> list[dict[str, Any]]:
    """Fit every method on every library case of one PDE benchmark at its default (paper) size.

    Returns:
        One row per (case, method): ``coef_mse`` (true terms, where the structure is right),
        ``structure_correct``, ``fraction_correct`` (parameter values with exactly the true
        significant terms), ``rel_residual`` (of u_t) and ``wall_time_s`` (the fit alone).
    """
    from peql.data import derive_features, input_names, split_arrays
    from peql.pipeline import score as evaluate
    from peql.plugins import get_registry

    registry = registry or get_registry()
    field = registry.get("systems", system).simulate()
    space = registry.get("derivatives", "spectral")
    time = registry.get("derivatives", time_method)
    rows = []
    for label, cross, library in cases:
        ds = derive_features(field, space, time_method=time, cross_terms=cross)
        x, y, param = split_arrays(ds, "train")
        for name in methods:
            doc = registry.get("baselines", name).run(x, y, param, input_names(ds), ds.attrs["param_name"],
                                                      library=library)
            s = evaluate(doc, ds)
            mse = s["refined"].get("train_mse")
            rows.append({"system": system, "case": label, "method": name, "skeleton": doc["skeleton"],
                         "coef_mse": s["refined"].get("coef_mse"), "structure_correct": s["refined"].get("structure_correct"),
                         "fraction_correct": s["refined"]["structure"]["fraction_of_params_correct"],
                         "rel_residual": None if mse is None else float(np.sqrt(mse / np.mean(y**2))),
                         "wall_time_s": doc["wall_time_s"]})
    return rows


def _fmt(value, spec: str) -> str:
    width = int(spec.split(".")[0])
    return f"{'-':>{width}}" if value is None else format(value, spec)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-method", default="fd4", help="derivative method for u_t (default fd4)")
    parser.add_argument("--systems", nargs="+", default=["burgers", "advection_diffusion"])
    args = parser.parse_args(argv)
    print(f"{'system':<20} {'library':<20} {'method':<6} {'coef MSE':>9} {'support':>8} "
          f"{'rel.res':>8} {'time s':>7}  skeleton")
    for system in args.systems:
        for r in measure(system, time_method=args.time_method):
            support = f"{100 * r['fraction_correct']:.0f} %"
            print(f"{r['system']:<20} {r['case']:<20} {r['method']:<6} {_fmt(r['coef_mse'], '9.2e')} "
                  f"{support:>8} {_fmt(r['rel_residual'], '8.2e')} {r['wall_time_s']:7.2f}  {r['skeleton']}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
