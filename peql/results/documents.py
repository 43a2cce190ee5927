"""The results contract as typed structures: what ``equations.json`` (DESIGN section 6) and a
scores document hold, for readers of the code and for checking a document before it is used."""

from __future__ import annotations

from typing import Any, TypedDict


class Equation(TypedDict):
    """The law at one parameter value."""

    param: float
    expression: str           # SymPy-parsable, in the input names


class EquationsDocument(TypedDict, total=False):
    """``equations.json``: written by extract (a network), a baseline and ``peql discover``."""

    peql_document: str        # "equations"
    parameter: str            # the parameter's name
    inputs: list[str]         # the input names the expressions use
    architecture: str         # the method: an architecture or a baseline
    task: str                 # the kind of experiment (absent in a baseline's document)
    selected_trial: int | None
    skeleton: str | None      # the structure with coefficient symbols c0, c1, ...; None: no equation
    equations: list[Equation]
    coefficients: dict[str, list[float]]   # "param" and one curve per coefficient symbol
    closed_form: dict[str, str]            # coefficient symbol -> formula in the parameter
    refit: bool
    trials: list[dict[str, Any]]           # one row per trial: errors, skeleton, selected
    settings: dict[str, Any]
    provenance: dict[str, Any]             # dataset, system, data_fingerprint, run_dir, ...
    wall_time_s: float


class ScoresDocument(TypedDict, total=False):
    """A scores document (``peql evaluate``, the workflow's ``scores/<dataset>/<method>.json``)."""

    peql_document: str        # "scores"
    method: str
    system: str
    score_split: str
    skeleton: str | None
    structure_correct: bool
    structure: dict[str, Any]
    success_rate: float
    test_mse: float | None
    coef_mse: float | None
    coef_rel_l1_pct: float | None
    n_compared: int
    trials: list[dict[str, Any]]
    equations_path: str


#: Keys an equations document cannot do without.
REQUIRED_EQUATIONS_KEYS = ("parameter", "inputs", "architecture", "skeleton", "equations")


def check_equations_document(doc: dict, where: str) -> dict:
    """``doc`` if it is an equations document; a ValueError that names ``where`` and the missing
    keys otherwise (a scores file given by mistake, say)."""
    missing = [k for k in REQUIRED_EQUATIONS_KEYS if k not in doc]
    if missing or doc.get("peql_document", "equations") != "equations":
        kind = doc.get("peql_document")
        what = f"a {kind} document" if kind and kind != "equations" else f"missing {', '.join(missing)}"
        raise ValueError(f"{where} is not an equations document ({what}); give the equations.json that "
                         "peql extract, peql baseline or peql discover wrote")
    return doc
