"""Tables of a workflow run: scores with the paper's figures beside ours (Tables III, VIII), the
learned equations at the paper's parameter values (Tables II, IV), and their HTML form."""

from __future__ import annotations

import html
from typing import Any

import numpy as np

from .paper import paper_equation, paper_figures, shown_values


def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.3g}"
    return str(v)


def score_rows(dataset: str, cfg: dict, scores: dict[str, dict]) -> list[dict]:
    """One row per method, every verdict labelled (DESIGN 6b): **network** (the trained network's
    own law: gates and threshold) and **refined** (after the read-out chain; a baseline's row
    holds its own fit there). Errors name the split they were measured on; coefficient errors
    come with the number of (term, parameter value) pairs compared."""
    cross = bool((cfg.get("derive") or {}).get("cross_terms"))
    rows = []
    for method, s in scores.items():
        arch = s.get("method") or method
        net, ref = s.get("network") or {}, s.get("refined") or {}
        split = s.get("score_split", "test")
        row = {"dataset": dataset, "method": method, "cross_terms": cross if cfg.get("derive") else None,
               "structure right (network)": net.get("structure_correct"),
               "structure right (refined)": ref.get("structure_correct"),
               "success rate (network)": net.get("success_rate"),
               "success rate (refined)": ref.get("success_rate"),
               "coef rel L1 % (refined)": ref.get("coef_rel_l1_pct"), "coef MSE (refined)": ref.get("coef_mse"),
               "n compared": ref.get("n_compared"),
               f"network MSE ({split}, paper units)": net.get("test_mse_paper_units"),
               f"law MSE ({split}, paper units, refined)": ref.get("test_mse_paper_units"),
               f"law MSE ({split}, refined)": ref.get("test_mse"),
               "n significant terms (refined)": ref.get("n_terms_with_param", ref.get("n_significant_terms")),
               "wall_time_s": s.get("wall_time_s"), "skeleton (refined)": s.get("skeleton")}
        row.update(paper_figures(cfg["system"], arch, cross))
        rows.append(row)
    return rows


def equation_rows(ds, docs: dict[str, dict]) -> list[dict]:
    from ..data import true_coefficients
    from ..evaluate.truth import true_expressions
    from ..symbolic.readout import format_expr

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


def html_table(rows: list[dict]) -> str:
    if not rows:
        return "<p>(none)</p>"
    cols = list(dict.fromkeys(k for r in rows for k in r))
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_fmt(r.get(c)))}</td>" for c in cols) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"
