"""Figures and tables of a workflow run: predictions against truth with the extrapolation
region shaded (the paper's Figure 2a), learned against true coefficient curves (Figures 2b, 3),
learned equations at the paper's parameter values (Tables II, IV) and score tables with the
paper's figures beside ours (Tables III, VIII)."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .paper_results import paper_equation, paper_figures, shown_values

COLORS = ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown"]


def _load(path):
    with open(path) as fh:
        return json.load(fh)


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

    from .data import input_names, split_arrays
    from .latent import extrapolation_mask

    names = input_names(ds)
    scores = scores or {}
    xtr, ytr, ptr = split_arrays(ds, "train")
    score = ds.attrs.get("score_split", "test")
    xs, ys, ps = split_arrays(ds, score)
    axis_expr = ds.attrs.get("extrapolation_axis")
    if axis_expr:
        axis_fn = sympy.lambdify([sympy.Symbol(n) for n in names], sympy.sympify(axis_expr), "numpy")
        axis_all = np.broadcast_to(axis_fn(*xs.T), (len(xs),))
        outside_all = extrapolation_mask(ds, xs)
    shown = shown_values(np.unique(ps), ds.attrs.get("system", ""))
    fig, axes = plt.subplots(1, len(shown), figsize=(4 * len(shown), 3.4), squeeze=False)
    lo, hi = xtr[:, 0].min(), xtr[:, 0].max()

    for ax, p in zip(axes[0], shown):
        rows = np.flatnonzero(np.isclose(ps, p))
        X, Y = xs[rows], ys[rows]
        if len(names) == 1 or axis_expr:
            a = X[:, 0] if len(names) == 1 else axis_all[rows]
            order = np.argsort(a, kind="stable")
            ax.plot(a[order], Y[order], "k-" if len(names) == 1 else "k.", lw=3, ms=4, alpha=0.35, label="truth")
            for (method, doc), c in zip(docs.items(), COLORS):
                pred = _method_prediction(doc, scores.get(method), names, p, X[order], rows[order])
                if pred is not None:
                    ax.plot(a[order], pred, "--" if len(names) == 1 else ".", color=c, lw=1.5, ms=2, label=method)
            if len(names) == 1:
                ax.axvspan(X[:, 0].min(), lo, color="red", alpha=0.08)
                ax.axvspan(hi, X[:, 0].max(), color="red", alpha=0.08, label="extrapolation")
            elif outside_all is not None:
                _shade_runs(ax, a[order], outside_all[rows][order], "extrapolation")
            ax.set_xlabel(names[0] if len(names) == 1 else axis_expr)
        else:
            for (method, doc), c in zip(docs.items(), COLORS):
                pred = _method_prediction(doc, scores.get(method), names, p, X, rows)
                if pred is not None:
                    ax.plot(Y, pred, ".", ms=2, color=c, label=method)
            ax.plot([Y.min(), Y.max()], [Y.min(), Y.max()], "k-", lw=0.8)
            ax.set_xlabel(f"true {ds.attrs.get('target_name', 'y')}")
            ax.set_ylabel("predicted")
        ax.set_title(f"{ds.attrs.get('param_name', 't')} = {p:.3f}")
    axes[0][0].legend(fontsize=7)
    fig.suptitle(f"{ds.attrs.get('system')}: predictions ({score} split; shaded: outside the training range)")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def latent_figure(ds, scores: dict[str, dict], out: Path) -> Path | None:
    """Latent against the true quantity it encodes, one panel per encoder method (the selected
    trial, val images), with the fitted line and correlation (the paper's Figure 5c)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .latent import linear_map

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

    from .data import true_coefficients

    values, coef = true_coefficients(ds)
    if not coef:
        return None
    fig, axes = plt.subplots(1, len(coef), figsize=(4.2 * len(coef), 3.2), squeeze=False)
    for ax, (name, true) in zip(axes[0], coef.items()):
        ax.plot(values, true, "k-", lw=4, alpha=0.3, label="truth")
        for (method, s), c in zip(scores.items(), COLORS):
            est = (s.get("estimates") or {}).get(name)
            if est is not None and len(est) == len(values):
                ax.plot(values, est, ".", ms=3, color=c, label=method)
        ax.set_ylim(*readable_ylim(ax.get_ylim(), true))
        ax.set_title(f"{name}({ds.attrs.get('param_name', 't')})")
        ax.set_xlabel(ds.attrs.get("param_name", "t"))
    axes[0][0].legend(fontsize=7)
    fig.suptitle(f"{ds.attrs.get('system')}: learned against true coefficients")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.3g}"
    return str(v)


def score_rows(dataset: str, cfg: dict, scores: dict[str, dict]) -> list[dict]:
    cross = bool((cfg.get("derive") or {}).get("cross_terms"))
    rows = []
    for method, s in scores.items():
        arch = s.get("method") or method
        row = {"dataset": dataset, "method": method, "cross_terms": cross if cfg.get("derive") else None,
               "test_mse_paper_units": s.get("test_mse_paper_units"), "test_mse": s.get("test_mse"),
               "coef_mse": s.get("coef_mse"), "coef_rel_l1_pct": s.get("coef_rel_l1_pct"),
               "true_skeleton": s.get("structure_correct"), "success_rate": s.get("success_rate"),
               "n_significant_terms": s.get("n_terms_with_param", s.get("n_significant_terms")),
               "wall_time_s": s.get("wall_time_s"), "skeleton": s.get("skeleton")}
        row.update(paper_figures(cfg["system"], arch, cross))
        rows.append(row)
    return rows


def equation_rows(ds, docs: dict[str, dict]) -> list[dict]:
    from .data import true_coefficients
    from .symbolic.readout import format_expr
    from .symbolic.truth import true_expressions

    values, coef = true_coefficients(ds)
    grid = values if len(values) else np.array([0.0])
    shown = shown_values(grid, ds.attrs.get("system", ""))
    truth = (true_expressions(ds.attrs["true_equation"], ds.attrs.get("param_name", "t"), values, coef)
             if ds.attrs.get("true_equation") and len(values) else [])
    rows = []
    for p in shown:
        row = {"param": float(p)}
        if len(truth):
            row["truth"] = format_expr(truth[int(np.argmin(np.abs(values - p)))], 3)
        for method, doc in docs.items():
            eqs = {float(e["param"]): e["expression"] for e in doc.get("equations", [])}
            if eqs:
                k = min(eqs, key=lambda q: abs(q - p))
                row[method] = format_expr(eqs[k], 3)
            paper = paper_equation(ds.attrs.get("system", ""), doc.get("architecture") or method, float(p))
            if paper:
                row[f"paper {doc.get('architecture') or method}"] = paper
        rows.append(row)
    return rows


def _html_table(rows: list[dict]) -> str:
    if not rows:
        return "<p>(none)</p>"
    cols = list(dict.fromkeys(k for r in rows for k in r))
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_fmt(r.get(c)))}</td>" for c in cols) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def build_report(pairs: Sequence[Sequence[str]], datasets: dict, data: Sequence[str], equations: Sequence[str],
                 scores: Sequence[str], index: str, figures: str, tables: str) -> None:
    """Write ``figures/`` (PNG), ``tables.json`` and ``index.html``.

    ``data``, ``equations`` and ``scores`` are paths, one per (dataset, method) pair of ``pairs``.
    """
    from .data import read_dataset
    from .dynamics import is_dynamics
    from .dynamics_report import rollout_figure, update_rows
    from .results import write_json

    fig_dir = Path(figures)
    fig_dir.mkdir(parents=True, exist_ok=True)
    by_dataset: dict[str, dict[str, tuple]] = {}
    for (d, m), dp, ep, sp in zip(pairs, data, equations, scores):
        by_dataset.setdefault(d, {})[m] = (dp, ep, sp)
    sections, all_scores, all_equations = [], [], {}
    for d, methods in by_dataset.items():
        ds = read_dataset(next(iter(methods.values()))[0])
        docs = {m: _load(paths[1]) for m, paths in methods.items()}
        method_scores = {m: _load(paths[2]) for m, paths in methods.items()}
        if is_dynamics(ds):
            pics = [rollout_figure(ds, method_scores, fig_dir / f"{d}__rollouts.png"),
                    latent_figure(ds, method_scores, fig_dir / f"{d}__latents.png")]
            eq_rows = update_rows(ds, docs)
        else:
            pics = [prediction_figure(ds, docs, fig_dir / f"{d}__predictions.png", method_scores),
                    coefficient_figure(ds, method_scores, fig_dir / f"{d}__coefficients.png"),
                    latent_figure(ds, method_scores, fig_dir / f"{d}__latents.png")]
            eq_rows = equation_rows(ds, docs)
        rows = score_rows(d, datasets[d], method_scores)
        all_scores += rows
        all_equations[d] = eq_rows
        imgs = "".join(f'<img src="figures/{p.name}" style="max-width:100%">' for p in pics if p)
        notes = "".join(f"<p><small>{html.escape(r['footnote'])}</small></p>" for r in rows if r.get("footnote"))
        sections.append(f"<h2>{html.escape(d)}</h2><p>system <code>{html.escape(datasets[d]['system'])}</code>; "
                        f"true law <code>{html.escape(ds.attrs.get('true_equation', ''))}</code></p>{imgs}"
                        f"<h3>Scores</h3>{_html_table(rows)}{notes}<h3>Equations</h3>{_html_table(eq_rows)}")
    write_json({"scores": all_scores, "equations": all_equations}, tables, "tables")
    style = ("<style>body{font-family:sans-serif;max-width:1300px;margin:auto}table{border-collapse:collapse;"
             "font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px}</style>")
    page = (f"<html><head><meta charset='utf-8'><title>peql report</title>{style}</head><body>"
            "<h1>peql report</h1><p>Test MSE in paper units: targets min-max normalised per parameter value "
            "with the training min and range (Table VIII). Coefficient MSE: mean over true terms and parameter "
            "values (Table III). Structure judged by one rule (DESIGN 6b).</p>" + "".join(sections) + "</body></html>")
    tmp = Path(index).with_suffix(".tmp")
    tmp.write_text(page)
    tmp.replace(index)
