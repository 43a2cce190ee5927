"""Scores against the truth: the one structure rule of DESIGN 6b (:mod:`.rule`, on the
significance of :mod:`peql.symbolic.significance`), the truth per parameter value and coefficient
errors (:mod:`.truth`), a document judged against its dataset (:mod:`.judge`) and prediction
errors (:mod:`.metrics`). What a kind of experiment scores beyond these lives in its task
(:mod:`peql.tasks`)."""

from ..symbolic.shapes import decompose, term_shape
from ..symbolic.significance import reference_rms, significant_terms
from .judge import judge_document
from .metrics import Groups, expression_predictions, mse, paper_units
from .rule import StructureVerdict, count_significant, judge_structure
from .truth import coefficient_errors, coefficient_estimates, true_expressions

__all__ = [
    "Groups", "StructureVerdict", "coefficient_errors", "coefficient_estimates", "count_significant", "decompose",
    "expression_predictions", "judge_document", "judge_structure", "mse", "paper_units", "reference_rms",
    "significant_terms", "term_shape", "true_expressions",
]
