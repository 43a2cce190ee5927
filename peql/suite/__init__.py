"""The generalisation suite: parametric-law problems that are not from the papers, frozen before
any tuning of peql (:mod:`.problems`), and its PySINDy baseline (:mod:`.sindy`)."""

from .problems import HELD_OUT, PROBLEMS, Problem, ProblemData, estimate_derivative

__all__ = ["HELD_OUT", "PROBLEMS", "Problem", "ProblemData", "estimate_derivative"]
