"""The one rule that judges a discovered structure (DESIGN section 6b).

The recovered structure is the set of significant term shapes (:mod:`peql.symbolic.significance`)
over all parameter values; it is correct when it equals the truth's set computed the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..symbolic.significance import reference_rms, significant_terms


@dataclass
class StructureVerdict:
    """The outcome of :func:`judge_structure`.

    Attributes:
        correct: recovered shape set equals the truth's.
        recovered, truth: sorted shape strings over all parameter values.
        missing, extra: truth shapes not recovered; recovered shapes not in the truth.
        per_param_correct: (P,) the significant shapes at that value equal the truth's there.
        n_significant: the largest number of significant terms at any parameter value.
    """

    correct: bool
    recovered: list[str]
    truth: list[str]
    missing: list[str]
    extra: list[str]
    per_param_correct: np.ndarray
    n_significant: int
    learned_terms: list[list[tuple]] = field(repr=False, default_factory=list)
    true_terms: list[list[tuple]] = field(repr=False, default_factory=list)

    def to_dict(self) -> dict:
        return {"correct": self.correct, "recovered": self.recovered, "truth": self.truth,
                "missing": self.missing, "extra": self.extra, "n_significant": self.n_significant,
                "fraction_of_params_correct": float(np.mean(self.per_param_correct)) if len(self.per_param_correct) else 0.0}


def judge_structure(learned: Sequence, truth: Sequence, inputs: Sequence[np.ndarray],
                    targets: Sequence[np.ndarray], input_names: Sequence[str]) -> StructureVerdict:
    """Judge learned expressions against the truth, one pair per parameter value.

    Args:
        learned: learned expression (SymPy or string) per parameter value.
        truth: true expression per parameter value (numbers substituted for coefficients).
        inputs: training inputs per parameter value, (n_p, len(input_names)).
        targets: training targets per parameter value, (n_p,).
        input_names: names of the input columns as used in the expressions.
    """
    refs = reference_rms(targets)
    learned_terms, true_terms, per_param = [], [], []
    rec_all, true_all = set(), set()
    for expr_l, expr_t, X, ref in zip(learned, truth, inputs, refs):
        lt = significant_terms(expr_l, X, input_names, ref)
        tt = significant_terms(expr_t, X, input_names, ref)
        ls, ts = {str(s) for _, s, *_ in lt}, {str(s) for _, s, *_ in tt}
        learned_terms.append(lt)
        true_terms.append(tt)
        per_param.append(ls == ts)
        rec_all |= ls
        true_all |= ts
    return StructureVerdict(
        correct=rec_all == true_all, recovered=sorted(rec_all), truth=sorted(true_all),
        missing=sorted(true_all - rec_all), extra=sorted(rec_all - true_all),
        per_param_correct=np.array(per_param, dtype=bool),
        n_significant=max((len(t) for t in learned_terms), default=0),
        learned_terms=learned_terms, true_terms=true_terms,
    )


def count_significant(expr, X: np.ndarray, y: np.ndarray, input_names: Sequence[str]) -> int:
    """Number of significant terms of one expression (for Table I style comparisons)."""
    return len(significant_terms(expr, X, input_names, float(reference_rms([y])[0])))
