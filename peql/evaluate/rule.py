"""The one rule that judges a discovered structure (DESIGN section 6b).

A structure is a multiset of shapes: for each shape, the most distinct significant terms of it at
any one parameter value (:mod:`peql.symbolic.significance` merges a unit split in two first). It
is correct when it equals the truth's, computed the same way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..symbolic.significance import reference_rms, significant_terms


@dataclass
class StructureVerdict:
    """The outcome of :func:`judge_structure`.

    Attributes:
        correct: the recovered structure equals the truth's, as multisets of shapes.
        recovered, truth: sorted shape strings, each as many times as its most distinct
            significant terms at one parameter value.
        missing, extra: what the truth has more of than the recovered structure, and the reverse.
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


def _multiset(per_param: Sequence[Counter]) -> Counter:
    """For each shape, the most distinct significant terms of it at any one parameter value."""
    out: Counter = Counter()
    for counts in per_param:
        for shape, n in counts.items():
            out[shape] = max(out[shape], n)
    return out


def _listed(counts: Counter) -> list[str]:
    return sorted(shape for shape, n in counts.items() for _ in range(n))


def judge_structure(learned: Sequence, truth: Sequence, inputs: Sequence[np.ndarray],
                    targets: Sequence[np.ndarray], input_names: Sequence[str]) -> StructureVerdict:
    """Judge learned expressions against the truth, one pair per parameter value (DESIGN 6b).

    Args:
        learned: learned expression (SymPy or string) per parameter value.
        truth: true expression per parameter value (numbers substituted for coefficients).
        inputs: training inputs per parameter value, (n_p, len(input_names)).
        targets: training targets per parameter value, (n_p,).
        input_names: names of the input columns as used in the expressions.
    """
    refs = reference_rms(targets)
    learned_terms, true_terms, per_param, learned_counts, true_counts = [], [], [], [], []
    for expr_l, expr_t, X, ref in zip(learned, truth, inputs, refs):
        lt = significant_terms(expr_l, X, input_names, ref)
        tt = significant_terms(expr_t, X, input_names, ref)
        lc, tc = Counter(str(s) for _, s, *_ in lt), Counter(str(s) for _, s, *_ in tt)
        learned_terms.append(lt)
        true_terms.append(tt)
        learned_counts.append(lc)
        true_counts.append(tc)
        per_param.append(lc == tc)
    recovered, true_all = _multiset(learned_counts), _multiset(true_counts)
    return StructureVerdict(
        correct=recovered == true_all, recovered=_listed(recovered), truth=_listed(true_all),
        missing=_listed(true_all - recovered), extra=_listed(recovered - true_all),
        per_param_correct=np.array(per_param, dtype=bool),
        n_significant=max((len(t) for t in learned_terms), default=0),
        learned_terms=learned_terms, true_terms=true_terms,
    )


def count_significant(expr, X: np.ndarray, y: np.ndarray, input_names: Sequence[str]) -> int:
    """Number of significant terms of one expression (for Table I style comparisons)."""
    return len(significant_terms(expr, X, input_names, float(reference_rms([y])[0])))
