"""The report page: one section per dataset (its figures, score table and equation table), written
as ``index.html`` and ``tables.json`` (every score row and every equation table, machine-readable)."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

from .tables import html_table

_STYLE = ("<style>body{font-family:sans-serif;max-width:1300px;margin:auto}table{border-collapse:collapse;"
          "font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px}</style>")
_INTRO = ("<p>Test MSE in paper units: targets min-max normalised per parameter value with the training min "
          "and range (Table VIII). Coefficient MSE: mean over true terms and parameter values (Table III). "
          "Structure judged by one rule (DESIGN 6b).</p>")


@dataclass
class Section:
    """One dataset's part of the report.

    Attributes:
        dataset: the dataset's name in the config.   system: its system.   true_law: its true equation.
        figures: PNG files (in the report's figures folder), drawn in this order.
        scores: one row per method (:func:`peql.report.tables.score_rows`).
        equations: the equation table's rows (the task decides what they hold).
    """

    dataset: str
    system: str
    true_law: str
    figures: list[Path] = field(default_factory=list)
    scores: list[dict] = field(default_factory=list)
    equations: list[dict] = field(default_factory=list)

    def to_html(self) -> str:
        imgs = "".join(f'<img src="figures/{p.name}" style="max-width:100%">' for p in self.figures if p)
        notes = "".join(f"<p><small>{html.escape(r['footnote'])}</small></p>" for r in self.scores if r.get("footnote"))
        return (f"<h2>{html.escape(self.dataset)}</h2><p>system <code>{html.escape(self.system)}</code>; "
                f"true law <code>{html.escape(self.true_law)}</code></p>{imgs}"
                f"<h3>Scores</h3>{html_table(self.scores)}{notes}<h3>Equations</h3>{html_table(self.equations)}")


def write_page(sections: list[Section], index: str | Path, tables: str | Path) -> None:
    """``tables.json`` and ``index.html`` of the report, each written atomically."""
    from ..results import write_json

    write_json({"scores": [row for s in sections for row in s.scores],
                "equations": {s.dataset: s.equations for s in sections}}, tables, "tables")
    page = (f"<html><head><meta charset='utf-8'><title>peql report</title>{_STYLE}</head><body>"
            f"<h1>peql report</h1>{_INTRO}" + "".join(s.to_html() for s in sections) + "</body></html>")
    tmp = Path(index).with_suffix(".tmp")
    tmp.write_text(page)
    tmp.replace(index)
