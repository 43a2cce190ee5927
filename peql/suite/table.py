"""The suite's table (Markdown): one row per problem with every method's labelled verdicts
(peql **network** and **refined**, PySINDy, SINDy-CP; DESIGN 6b), the coefficient error and the
law's test R^2 where the structure is right, and wall times; then the right counts per category;
the working problems and the held-out third in separate sections."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from .problems import CATEGORIES, HELD_OUT, PROBLEMS

LABELS = ("network", "refined", "pysindy", "sindy-cp")
NOISY = {"ode-noisy", "noisy-target"}
TITLE = "# Generalisation suite"


def _collect(records: list[dict]) -> dict[str, dict[str, list[dict]]]:
    """problem -> label -> scores over seeds (each with the method's wall time)."""
    out: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for rec in records:
        for label, v in rec["verdicts"].items():
            out[rec["problem"]][label].append({**v, "wall_time_s": rec["wall_time_s"]})
    return out


def _right(scores: list[dict]) -> str:
    if not scores:
        return "–"
    n = sum(s["correct"] for s in scores)
    return ("yes" if n else "no") if len(scores) == 1 else f"{n}/{len(scores)}"


def _median(scores: list[dict], key: str, fmt: str, only_right: bool = True) -> str:
    vals = [s[key] for s in scores if s.get(key) is not None and (s["correct"] or not only_right)]
    return format(float(np.median(vals)), fmt) if vals else "–"


def _problem_rows(collected, names: list[str], labels: list[str]) -> list[str]:
    head = ["problem", "category"] + [f"{lab}: right" for lab in labels] + \
           [f"{lab}: coef err %" for lab in labels] + [f"{lab}: test R^2" for lab in labels] + \
           ["peql s", "pysindy s"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in names:
        c = collected.get(name, {})
        cells = [f"`{name}`", PROBLEMS[name].category]
        cells += [_right(c.get(lab, [])) for lab in labels]
        cells += [_median(c.get(lab, []), "coef_rel_l1_pct", ".2g") for lab in labels]
        cells += [_median(c.get(lab, []), "test_r2", ".5f", only_right=False) for lab in labels]
        cells += [_median(c.get("refined", []), "wall_time_s", ".0f", only_right=False),
                  _median(c.get("pysindy", []), "wall_time_s", ".1f", only_right=False)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _category_rows(collected, names: list[str], labels: list[str]) -> list[str]:
    head = ["category", "problems"] + [f"{lab}: right" for lab in labels]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    groups = [(cat, [n for n in names if PROBLEMS[n].category == cat]) for cat in CATEGORIES]
    groups += [("all exact", [n for n in names if PROBLEMS[n].category not in NOISY]),
               ("all noisy", [n for n in names if PROBLEMS[n].category in NOISY])]
    for cat, members in groups:
        if not members:
            continue
        cells = [f"**{cat}**" if cat.startswith("all") else cat, str(len(members))]
        for lab in labels:
            scores = [s for n in members for s in collected.get(n, {}).get(lab, [])]
            cells.append(f"{sum(s['correct'] for s in scores)}/{len(scores)}" if scores else "–")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def markdown(records: list[dict], command: str = "") -> str:
    """The suite table of ``records`` (:func:`peql.suite.run.run_suite`)."""
    collected = _collect(records)
    labels = [lab for lab in LABELS if any(lab in c for c in collected.values())]
    seeds = sorted({r["seed"] for r in records})
    parts = [TITLE, ""]
    if command:
        parts += [f"Written by `{command}`.", ""]
    parts += [f"Seeds {seeds}. **network**: peql's trained network read out as is; **refined**: after "
              "peql's read-out chain; both with default flags. Structure by DESIGN 6b; coefficient error "
              "(relative L1 of every number of the law) and seconds are medians over the seeds where the "
              "structure is right; test R^2 of the law and wall seconds, medians over all seeds.", ""]
    for title, held in (("Working problems", False), ("Held-out third (set aside before any tuning)", True)):
        names = [n for n in PROBLEMS if n in collected and (n in HELD_OUT) == held]
        if not names:
            continue
        parts += [f"## {title}", "", *_category_rows(collected, names, labels), "",
                  *_problem_rows(collected, names, labels), ""]
    return "\n".join(parts)
