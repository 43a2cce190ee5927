"""Figures of a workflow run: predictions against truth with the extrapolation region shaded
(the paper's Figure 2a), learned against true coefficient curves (Figures 2b, 3), latent against
truth (Figure 5c). Each takes the dataset and the methods' documents or scores of one dataset."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .paper import shown_values
from .style import COLORS


def _equation_fn(doc: dict, names: Sequence[str]):
    import sympy

    eqs = {float(e["param"]): e["expression"] for e in doc.get("equations", [])}
    keys = np.array(sorted(eqs))
    syms = [sympy.Symbol(n) for n in names]

    def fn(p: float, X: np.ndarray):
        if not len(keys):
            return None
        k = keys[int(np.argmin(np.abs(keys - p)))]
        f = sympy.lambdify(syms, sympy.sympify(eqs[float(k)]), "numpy")
        with np.errstate(all="ignore"):
            return np.broadcast_to(f(*X.T), (len(X),))

    return fn


def _network_predictions(score: dict | None, rows: np.ndarray) -> np.ndarray | None:
    """The selected trial's own predictions at scored-split ``rows`` when evaluate kept them
    (encoder runs: ``figure_data``), else None."""
    fd = (score or {}).get("figure_data") or {}
    if not fd.get("rows"):
        return None
    lookup = dict(zip(fd["rows"], fd["prediction"]))
    if not all(int(r) in lookup for r in rows):
        return None
    return np.array([lookup[int(r)] for r in rows], dtype=float)


def _method_prediction(doc: dict, score: dict | None, names: Sequence[str], p: float, X: np.ndarray,
                       rows: np.ndarray) -> np.ndarray | None:
    """A method's predictions at scored-split ``rows`` (inputs ``X``) at parameter ``p``: its
    equation when it has one, else the network's own predictions kept by evaluate."""
    pred = _equation_fn(doc, names)(p, X)
    return pred if pred is not None else _network_predictions(score, rows)


def _shade_runs(ax, axis: np.ndarray, outside: np.ndarray, label: str) -> None:
    """Shade the stretches of the (sorted) ``axis`` where ``outside`` holds, each out to halfway
    to its inside neighbours."""
    edges = np.flatnonzero(np.diff(np.r_[0, outside.astype(int), 0]))
    for i, (a, b) in enumerate(zip(edges[::2], edges[1::2])):
        left = axis[a] if a == 0 else 0.5 * (axis[a - 1] + axis[a])
        right = axis[b - 1] if b == len(axis) else 0.5 * (axis[b - 1] + axis[b])
        ax.axvspan(left, right, color="red", alpha=0.08, label=label if i == 0 else None)


def prediction_figure(ds, docs: dict[str, dict], out: Path, scores: dict[str, dict] | None = None) -> Path | None:
    """Truth and each method's predictions at four parameter values, the region outside the
    training range shaded: over the first input for one-input tabular data, over the dataset's
    ``extrapolation_axis`` (e.g. psi1 - psi2 for the springs) where it names one, else predicted
    against true target. A method's equation is drawn when it has one, else the network's own
    predictions (the ReLU heads)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import sympy

    from ..data import extrapolation_mask, input_names, split_arrays

    names = input_names(ds)
    scores = scores or {}
    xtr = split_arrays(ds, "train")[0]
    score = ds.attrs.get("score_split", "test")
    xs, ys, ps = split_arrays(ds, score)
    axis_expr = ds.attrs.get("extrapolation_axis")
    outside_all = None
    if axis_expr:
        axis_fn = sympy.lambdify([sympy.Symbol(n) for n in names], sympy.sympify(axis_expr), "numpy")
        axis_all = np.broadcast_to(axis_fn(*xs.T), (len(xs),))
        outside_all = extrapolation_mask(ds, xs)
    shown = shown_values(np.unique(ps), ds.attrs.get("system", ""))
    fig, axes = plt.subplots(1, len(shown), figsize=(4 * len(shown), 3.4), squeeze=False)
    lo, hi = xtr[:, 0].min(), xtr[:, 0].max()

    for ax, p in zip(axes[0], shown):
        rows = np.flatnonzero(np.isclose(ps, p))
        if len(names) == 1 or axis_expr:
            a = xs[rows, 0] if len(names) == 1 else axis_all[rows]
            outside = None if len(names) == 1 or outside_all is None else outside_all[rows]
            _draw_over_axis(ax, a, xs[rows], ys[rows], rows, outside, (lo, hi), docs, scores, names, p)
            ax.set_xlabel(names[0] if len(names) == 1 else axis_expr)
        else:
            _draw_parity(ax, xs[rows], ys[rows], rows, docs, scores, names, p)
            ax.set_xlabel(f"true {ds.attrs.get('target_name', 'y')}")
            ax.set_ylabel("predicted")
        ax.set_title(f"{ds.attrs.get('param_name', 't')} = {p:.3f}")
    axes[0][0].legend(fontsize=7)
    parity = not (len(names) == 1 or axis_expr)   # predicted against true: nothing is shaded
    note = "" if parity else "; shaded: outside the training range"
    fig.suptitle(f"{ds.attrs.get('system')}: predictions ({score} split{note})")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def _draw_over_axis(ax, a, X, Y, rows, outside, train_range, docs, scores, names, p) -> None:
    """One panel of truth and predictions against the coordinate ``a``: a line over the only input,
    or points over a derived axis; the part outside the training range shaded (``outside`` per
    point for a derived axis, else the first input beyond ``train_range``)."""
    one_input = len(names) == 1
    order = np.argsort(a, kind="stable")
    ax.plot(a[order], Y[order], "k-" if one_input else "k.", lw=3, ms=4, alpha=0.35, label="truth")
    for (method, doc), c in zip(docs.items(), COLORS):
        pred = _method_prediction(doc, scores.get(method), names, p, X[order], rows[order])
        if pred is not None:
            ax.plot(a[order], pred, "--" if one_input else ".", color=c, lw=1.5, ms=2, label=method)
    if one_input:
        lo, hi = train_range
        ax.axvspan(X[:, 0].min(), lo, color="red", alpha=0.08)
        ax.axvspan(hi, X[:, 0].max(), color="red", alpha=0.08, label="extrapolation")
    elif outside is not None:
        _shade_runs(ax, a[order], outside[order], "extrapolation")


def _draw_parity(ax, X, Y, rows, docs, scores, names, p) -> None:
    """One panel of each method's prediction against the true target, with the diagonal."""
    for (method, doc), c in zip(docs.items(), COLORS):
        pred = _method_prediction(doc, scores.get(method), names, p, X, rows)
        if pred is not None:
            ax.plot(Y, pred, ".", ms=2, color=c, label=method)
    ax.plot([Y.min(), Y.max()], [Y.min(), Y.max()], "k-", lw=0.8)


def latent_figure(ds, scores: dict[str, dict], out: Path) -> Path | None:
    """Latent against the true quantity it encodes, one panel per encoder method (the selected
    trial, val images), with the fitted line and correlation (the paper's Figure 5c)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..symbolic.latent_map import linear_map

    have = {m: s["figure_data"] for m, s in scores.items() if (s.get("figure_data") or {}).get("latent")}
    if not have:
        return None
    fig, axes = plt.subplots(1, len(have), figsize=(max(5.0, 3.8 * len(have)), 3.6), squeeze=False)
    for ax, ((method, fd), c) in zip(axes[0], zip(have.items(), COLORS)):
        truth, z = np.asarray(fd["latent_truth"]), np.asarray(fd["latent"])
        ax.plot(truth, z, ".", ms=3, color=c)
        line = linear_map(z, truth)
        grid = np.linspace(truth.min(), truth.max(), 2)
        ax.plot(grid, line["slope"] * grid + line["intercept"], "k-", lw=0.8)
        ax.set_title(f"{method}: corr {line['correlation']:.4f}")
        ax.set_xlabel("true " + ", ".join(ds.attrs.get("image_inputs") or [ds.attrs.get("param_name", "input")]))
        ax.set_ylabel("latent z")
    fig.suptitle(f"{ds.attrs.get('system')}: latent against truth\n(selected trial, val split)", fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def readable_ylim(ylim: tuple[float, float], true: np.ndarray, min_fraction: float = 0.2) -> tuple[float, float]:
    """Y-limits spanning at least ``min_fraction`` of the true curve's magnitude, centred on it.

    A constant true coefficient (0.1 u_xx) recovered to 1e-6 would otherwise fill the panel with
    what looks like scatter; estimates that are really off still widen the limits beyond this.
    """
    lo, hi = ylim
    true = np.asarray(true, dtype=float)
    span = min_fraction * max(float(np.abs(true).max()), 1e-12)
    if hi - lo >= span:
        return lo, hi
    mid = 0.5 * (float(true.max()) + float(true.min()))
    return mid - span / 2, mid + span / 2


def coefficient_figure(ds, scores: dict[str, dict], out: Path) -> Path | None:
    """Learned (per method) against true coefficient curves."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..data import true_coefficients

    values, coef = true_coefficients(ds)
    if not coef:
        return None
    fig, axes = plt.subplots(1, len(coef), figsize=(max(6.0, 4.2 * len(coef)), 3.2), squeeze=False)
    for ax, (name, true) in zip(axes[0], coef.items()):
        ax.plot(values, true, "k-", lw=4, alpha=0.3, label="truth")
        for (method, s), c in zip(scores.items(), COLORS):
            est = ((s.get("refined") or {}).get("estimates") or {}).get(name)
            if est is not None and len(est) == len(values):
                ax.plot(values, est, ".", ms=3, color=c, label=method)
        ax.set_ylim(*readable_ylim(ax.get_ylim(), true))
        ax.set_title(f"{name}({ds.attrs.get('param_name', 't')})")
        ax.set_xlabel(ds.attrs.get("param_name", "t"))
    axes[0][0].legend(fontsize=7)
    fig.suptitle(f"{ds.attrs.get('system')}: learned (refined) against true coefficients")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
