"""Scores against the truth. The structure rule of DESIGN section 6b lives here, used by tests,
tables and reports alike."""

from .symbolic.shapes import decompose, term_shape
from .symbolic.structure import StructureVerdict, count_significant, judge_structure, reference_rms, significant_terms
from .symbolic.truth import coefficient_errors, coefficient_estimates, true_expressions

__all__ = [
    "StructureVerdict", "coefficient_errors", "coefficient_estimates", "count_significant", "decompose",
    "judge_structure", "reference_rms", "significant_terms", "term_shape", "true_expressions",
]
