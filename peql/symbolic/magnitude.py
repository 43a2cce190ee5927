"""How large a term of a law is, in units that do not depend on the data's (DESIGN 6b: thresholds
act in normalised units).

A term's *magnitude* at a parameter value is its largest absolute value over the box of the
training inputs (each input between ``-max|x|`` and ``max|x|``, the network's own input scaling),
divided by the target's range there (the network's target scaling). The read-out's threshold
(0.01) acts on it: a term below it everywhere leaves the skeleton, and at one parameter value it
leaves that value's expression. An additive term inside a function argument is dropped where its
largest absolute value over the box is below the threshold itself (an argument has no units).
Rescaling an input or the target rescales the coefficients and leaves every decision unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import sympy

_POINTS = 96


@dataclass(frozen=True)
class Scale:
    """The units of a law: the half-width of each input's box and the target range per
    parameter value.

    Attributes:
        inputs: input (or parameter) name -> ``max |x|`` over the training data.
        target: (P,) target range per parameter value (a single value broadcasts).
    """

    inputs: dict[str, float]
    target: np.ndarray = field(default_factory=lambda: np.ones(1))

    def points(self, names: Sequence[str]) -> np.ndarray:
        """``(K, len(names))`` deterministic points of the box: its corners (up to six inputs) and
        points drawn uniformly inside it."""
        d = len(names)
        widths = np.array([float(self.inputs.get(n, 1.0)) for n in names])
        rng = np.random.default_rng(0)
        inside = rng.uniform(-1.0, 1.0, (_POINTS, d))
        corners = (np.array(np.meshgrid(*[[-1.0, 1.0]] * d)).reshape(d, -1).T if 0 < d <= 6
                   else np.zeros((0, d)))
        return np.concatenate([corners, inside]) * widths

    def target_at(self, n: int) -> np.ndarray:
        return np.broadcast_to(np.asarray(self.target, dtype=float), (n,))


def _values(exprs: list, names: Sequence[str], slots: Sequence[str], coefficients: dict, points: np.ndarray,
            n: int) -> np.ndarray:
    """``(len(exprs), n)``: the largest absolute value of each expression over ``points`` at each
    of ``n`` parameter values (the slots' values)."""
    if not exprs:
        return np.zeros((0, n))
    fn = sympy.lambdify([sympy.Symbol(s) for s in [*names, *slots]], exprs, modules="numpy")
    cols = [points[:, i:i + 1] for i in range(points.shape[1])]
    coefs = [np.asarray(coefficients[s], dtype=float).reshape(1, -1) for s in slots]
    with np.errstate(all="ignore"):
        vals = fn(*cols, *coefs)
    out = np.empty((len(exprs), n))
    for i, v in enumerate(vals):
        v = np.abs(np.broadcast_to(np.asarray(v, dtype=float), (points.shape[0], n)))
        out[i] = np.where(np.isfinite(v).all(axis=0), v.max(axis=0), np.inf)
    return out


def n_values(coefficients: dict, scale: Scale) -> int:
    """The number of parameter values: the coefficient curves' length, else (a law without
    coefficient slots, such as ``0``) the length of the scale's target ranges."""
    if coefficients:
        return len(next(iter(coefficients.values())))
    return int(np.asarray(scale.target).size) or 1


def _slot_names(expr, coefficients) -> list[str]:
    return sorted({str(s) for s in expr.free_symbols} & set(coefficients), key=str)


def term_magnitudes(skeleton, coefficients: dict, names: Sequence[str], scale: Scale) -> tuple[list, np.ndarray]:
    """The top-level terms of ``skeleton`` and each one's magnitude (see the module docstring) at
    every parameter value, ``(terms, P)``."""
    expr = sympy.sympify(skeleton)
    terms = list(sympy.Add.make_args(expr))
    n = n_values(coefficients, scale)
    raw = _values(terms, names, _slot_names(expr, coefficients), coefficients, scale.points(names), n)
    return terms, raw / np.where(scale.target_at(n) > 0, scale.target_at(n), 1.0)[None, :]


def _inner_terms(expr) -> list:
    """Additive terms inside function arguments (and non-integer powers' bases), where each
    argument has more than one."""
    out = []
    for f in sympy.preorder_traversal(expr):
        if isinstance(f, sympy.Function) or (f.is_Pow and not f.args[1].is_Integer):
            for arg in f.args[:1] if f.is_Pow else f.args:
                if arg.is_Add:
                    out.append(arg.args)
    return out


#: An inner part this much smaller than the largest part of its argument is round-off, dropped.
ROUND_OFF = 1e-9


def law_expressions(skeleton, coefficients: dict, names: Sequence[str], scale: Scale, threshold: float) -> list:
    """The law at every parameter value, with the terms below ``threshold`` there dropped (top-level
    terms by magnitude, inner terms by their absolute size over the box; an argument keeps its
    largest term)."""
    expr = sympy.sympify(skeleton)
    n = n_values(coefficients, scale)
    slots = _slot_names(expr, coefficients)
    keep = np.ones((len(slots), n), dtype=bool)
    index = {s: i for i, s in enumerate(slots)}
    terms, mags = term_magnitudes(expr, coefficients, names, scale)
    for term, mag in zip(terms, mags):
        _drop(term, mag < threshold, index, keep)
    points = scale.points(names)
    for parts in _inner_terms(expr):
        sizes = _values(list(parts), names, slots, coefficients, points, n)
        largest = sizes.max(axis=0, keepdims=True)
        # below the threshold, or round-off beside the largest part (a phase of 1e-17 left by a
        # least-squares polish, kept even when the chain has set the threshold to zero)
        small = ((sizes < threshold) | (sizes < ROUND_OFF * largest)) & (sizes < largest)   # keep the largest
        for part, mask in zip(parts, small):
            _drop(part, mask, index, keep)
    values = {s: np.where(keep[index[s]], np.asarray(coefficients[s], dtype=float), 0.0) for s in slots}
    return [expr.xreplace({sympy.Symbol(s): sympy.Float(values[s][p]) for s in slots}) for p in range(n)]


def _drop(term, where: np.ndarray, index: dict, keep: np.ndarray) -> None:
    """Zero ``term`` where ``where`` holds, through its leading slot (its only slot factor)."""
    leads = [str(f) for f in sympy.Mul.make_args(term) if str(f) in index]
    if leads:
        keep[index[leads[0]]] &= ~where


def prune_expression(expr, names: Sequence[str], scale: Scale, threshold: float):
    """One numeric expression with its terms below ``threshold`` dropped (:func:`law_expressions`
    at one parameter value; ``scale.target`` holds one range)."""
    expr = sympy.expand(sympy.sympify(expr))
    numbers = sorted(expr.atoms(sympy.Float), key=str)
    slots = {f"__k{i}": np.array([float(v)]) for i, v in enumerate(numbers)}
    template = expr.xreplace({v: sympy.Symbol(f"__k{i}") for i, v in enumerate(numbers)})
    return law_expressions(template, slots, names, Scale(scale.inputs, scale.target_at(1)), threshold)[0]
