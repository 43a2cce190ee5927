"""The one read-out chain: what happens to a trained network's read-out before it is reported.

A chain is a list of step names, applied in order to a :class:`~peql.symbolic.readout.Readout`
and the training rows grouped by parameter value. The workflow's extract, ``peql discover`` and
:class:`peql.ParametricRegressor` all run their read-out through :func:`apply_chain`, so a step
added here reaches all three.

Steps:
    ``refit``: least-squares refit of the leading coefficients at each parameter value
        (:func:`peql.symbolic.refit.refit_readout`).
    ``prune``: drop terms that are never significant (DESIGN 6b), refitting what is left when the
        chain has refitted (:func:`peql.symbolic.tidy.prune`).
    ``polish``: nonlinear least squares of every coefficient, inner ones included, restarted from
        a neighbouring parameter value's solution where that fits far better (only after a refit).
    ``merge``: merge a unit split in two (:func:`peql.symbolic.tidy.merge`).
    ``support``: keep the terms the data support across all parameter values, the read-out's terms,
        the monomials up to degree 3 and the shape library (:mod:`peql.symbolic.shape_library`)
        as candidates, by group-sparse regression and BIC, inner numbers tuned between search
        rounds (:mod:`peql.symbolic.support`). The steps after it keep every term it chose: the
        magnitude threshold no longer applies.
    ``orient``: sign-consistent coefficient curves of odd and even function terms.
    ``closed_form``: search a formula for every coefficient curve
        (:mod:`peql.symbolic.closed_form`).

An empty chain is the network's own read-out (gates and threshold only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from .readout import Readout
from .refit import refit_readout
from .support import select_support
from .tidy import merge, orient, polish, prune

STEPS = ("refit", "prune", "polish", "merge", "support", "orient", "closed_form")
#: The full chain: the default of the workflow's extract, ``peql extract``, ``peql discover`` and
#: the Python API. Its result is the **refined** law; the empty chain gives the **network** law.
FULL_CHAIN = ("refit", "prune", "polish", "merge", "polish", "support", "polish", "orient", "closed_form")
WORKFLOW_CHAIN = FULL_CHAIN


def check_chain(steps: Sequence[str] | None) -> tuple[str, ...]:
    """A chain as a tuple of known step names; a ValueError names an unknown one."""
    steps = tuple(steps or ())
    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        raise ValueError(f"unknown read-out step(s) {unknown}; steps: {', '.join(STEPS)}")
    return steps


@dataclass
class ChainRecord:
    """What a chain did besides changing the read-out.

    Attributes:
        steps: the steps applied, in order.
        refitted: whether the coefficients were refitted (``refit`` ran).
        pruned_terms, merged_terms: what ``prune`` dropped and ``merge`` merged (None: the step did not run).
        support: the terms ``support`` added and dropped (None: the step did not run).
        closed_forms: the ``closed_form`` step's document keys (``closed_form``, ``closed_form_details``,
            ``closed_form_rule``, ``law``), empty when it did not run.
    """

    steps: tuple[str, ...] = ()
    refitted: bool = False
    pruned_terms: list | None = None
    merged_terms: list | None = None
    support: dict | None = None
    closed_forms: dict[str, Any] = field(default_factory=dict)


def apply_chain(r: Readout | None, steps: Sequence[str], xs: Sequence[np.ndarray], ys: Sequence[np.ndarray],
                input_names: Sequence[str], threshold: float = 0.01, param_name: str = "t",
                closed_form_rtol: float = 0.02) -> tuple[Readout | None, ChainRecord]:
    """Apply ``steps`` to ``r``.

    Args:
        r: the network's read-out (None: nothing to read out; returned as it is).
        steps: step names (see the module docstring).
        xs, ys: training inputs and targets at each of ``r.param_values``.
        input_names: the names of the inputs' columns in the expressions.
        threshold: coefficients below this are dropped from the expressions.
        param_name, closed_form_rtol: for the ``closed_form`` step.
    """
    record = ChainRecord(check_chain(steps))
    if r is None:
        if "closed_form" in record.steps:
            record.closed_forms = closed_form_fields(None, param_name, closed_form_rtol)
        return r, record
    for step in record.steps:
        if step == "refit":
            r = refit_readout(r, xs, ys, input_names, threshold)
            record.refitted = True
        elif step == "prune":
            r, dropped = prune(r, xs, ys, input_names, threshold, record.refitted)
            record.pruned_terms = (record.pruned_terms or []) + dropped
        elif step == "polish":
            if record.refitted:
                r = polish(r, xs, ys, input_names, threshold)
        elif step == "merge":
            r, merged = merge(r, xs, ys, input_names, threshold, record.refitted)
            record.merged_terms = (record.merged_terms or []) + merged
        elif step == "support":
            if record.refitted:
                # From here BIC has decided which terms stay: the magnitude threshold, the
                # network read-out's rule, would drop a supported term again (a constant of 0.2
                # against a spiky target's range of 100 is 0.2 % of the range but 4 % of its RMS).
                threshold = 0.0
                r, changed = select_support(r, xs, ys, input_names, threshold)
                record.support = {k: (record.support or {}).get(k, []) + v for k, v in changed.items()}
        elif step == "orient":
            r = orient(r)
        elif step == "closed_form":
            record.closed_forms = closed_form_fields(r, param_name, closed_form_rtol)
    return r, record


def closed_form_fields(r: Readout | None, param_name: str, rtol: float) -> dict[str, Any]:
    """The closed-form keys of an equations document for the coefficient curves of ``r``
    (empty ones when there is no read-out)."""
    from .closed_form import add_closed_forms

    doc = {"skeleton": None, "parameter": param_name, "coefficients": {}} if r is None else {
        "skeleton": r.skeleton, "parameter": param_name,
        "coefficients": {"param": r.param_values.tolist(), **{k: np.asarray(v).tolist()
                                                             for k, v in r.coefficients.items()}}}
    add_closed_forms(doc, rtol)
    return {k: doc[k] for k in ("closed_form", "closed_form_details", "closed_form_rule", "law")}
