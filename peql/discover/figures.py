"""Figures of ``peql discover``: the law against the data at a few parameter values (inside the
training range of the inputs, and extrapolated beyond it), and the coefficient curves with their
closed forms. Drawn with matplotlib's Agg canvas directly (no pyplot state, no display needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import sympy

PANELS = 4


def _figure(n: int, height: float = 3.0):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3.4 * n, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, [fig.add_subplot(1, n, i + 1) for i in range(n)]


def _equation_fn(expression: str, names):
    fn = sympy.lambdify([sympy.Symbol(n) for n in names], sympy.sympify(expression), modules="numpy")

    def call(X):
        with np.errstate(all="ignore"):
            return np.broadcast_to(np.asarray(fn(*X.T), dtype=float), (len(X),))
    return call


def _chosen(values: np.ndarray) -> np.ndarray:
    return np.unique(np.linspace(0, len(values) - 1, min(PANELS, len(values))).round().astype(int))


def _rows_near(param: np.ndarray, values: np.ndarray, j: int) -> np.ndarray:
    """Rows whose parameter value is nearest to ``values[j]`` (a pooled bin for scattered t)."""
    nearest = np.abs(param[:, None] - values[None, :]).argmin(axis=1) if len(param) else np.zeros(0, int)
    return nearest == j


def plot_fit(reg, part: dict, path: Path, extrapolate: bool) -> None:
    """The law at up to four parameter values against the data. One input: y against x, the law as
    a line (``extrapolate``: over twice the training range, shaded). Several inputs: law against
    observed values (``extrapolate``: on the held-out val/test rows)."""
    doc, names, p = reg.document_, reg.input_names_, reg.param_name_
    eqs = doc["equations"]
    fig, axes = _figure(max(1, min(PANELS, len(eqs))))
    if not eqs:
        axes[0].text(0.5, 0.5, "no equation read out", ha="center", va="center")
        fig.savefig(path, dpi=110)
        return
    values = np.array([e["param"] for e in eqs])
    x_tr, y_tr, t_tr = reg.train_
    held = [part[s] for s in ("val", "test") if s in part] or [reg.validation_]
    x_ho, y_ho, t_ho = (np.concatenate(a) for a in zip(*held))
    for ax, j in zip(axes, _chosen(values)):
        law = _equation_fn(eqs[j]["expression"], names)
        tr, ho = _rows_near(t_tr, values, j), _rows_near(t_ho, values, j)
        ax.set_title(f"{p} = {values[j]:.4g}", fontsize=9)
        if len(names) == 1:
            lo, hi = x_tr[:, 0].min(), x_tr[:, 0].max()
            pad = (hi - lo) / 2 if extrapolate else 0.0
            grid = np.linspace(lo - pad, hi + pad, 300)[:, None]
            if extrapolate:
                ax.axvspan(lo, hi, color="0.92", label="training range")
                ax.scatter(x_ho[ho, 0], y_ho[ho], s=4, color="tab:orange", label="held out")
            ax.scatter(x_tr[tr, 0], y_tr[tr], s=4, color="tab:blue", alpha=0.5, label="training data")
            ax.plot(grid[:, 0], law(grid), color="k", lw=1.2, label="law")
            ax.set_xlabel(names[0])
        else:
            X, Y = (x_ho[ho], y_ho[ho]) if extrapolate else (x_tr[tr], y_tr[tr])
            ax.scatter(Y, law(X), s=4, color="tab:orange" if extrapolate else "tab:blue")
            lims = [np.min(Y, initial=0.0), np.max(Y, initial=1.0)]
            ax.plot(lims, lims, color="k", lw=0.8)
            ax.set_xlabel("observed")
            ax.set_ylabel("law")
    axes[0].legend(fontsize=7, loc="best") if len(names) == 1 else None
    fig.suptitle(("extrapolation: " if extrapolate else "fit: ") + f"{doc['skeleton']}", fontsize=9)
    fig.savefig(path, dpi=110)


def plot_coefficients(reg, path: Path) -> None:
    """Every coefficient curve (points) with its closed form, where one was found (line)."""
    doc, p = reg.document_, reg.param_name_
    coefs = doc.get("coefficients") or {}
    names = [k for k in coefs if k != "param"]
    fig, axes = _figure(max(1, len(names)))
    if not names:
        axes[0].text(0.5, 0.5, "no coefficients", ha="center", va="center")
    t = np.asarray(coefs.get("param", []), dtype=float)
    dense = np.linspace(t.min(), t.max(), 400) if len(t) else t
    for ax, name in zip(axes, names):
        ax.plot(t, coefs[name], "o", ms=3, color="tab:blue", label="fitted")
        formula = doc.get("closed_form", {}).get(name)
        if formula:
            sym = sympy.Symbol(p)
            fn = sympy.lambdify(sym, sympy.sympify(formula, locals={p: sym}), modules="numpy")
            ax.plot(dense, np.broadcast_to(np.asarray(fn(dense), dtype=float), dense.shape), color="k", lw=1.2,
                    label=formula if len(formula) < 40 else "closed form")
        else:
            ax.text(0.02, 0.02, "no closed form", transform=ax.transAxes, fontsize=7)
        ax.set_title(name, fontsize=9)
        ax.set_xlabel(p)
        ax.legend(fontsize=7, loc="best")
    fig.suptitle(f"coefficients of {doc.get('skeleton')}", fontsize=9)
    fig.savefig(path, dpi=110)
