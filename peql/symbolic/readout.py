"""Read a trained symbolic network out as equations (DESIGN section 6).

Deterministic gates, weights below ``prune`` (1e-5, the original printer's) removed, dead units
dropped; the network is written once in SymPy with *symbolic* weights, the input and target
scaling undone symbolically, expanded, and turned into a template whose coefficient slots are
evaluated numerically at every parameter value at once. Terms whose magnitude (their largest
value over the training inputs' box, divided by the target's range: the network's own units,
:mod:`peql.symbolic.magnitude`) stays below ``threshold`` (0.01) leave the skeleton; at each
parameter value, so do the terms below it there and negligible additive terms inside function
arguments. The skeleton names the surviving slots c0, c1, ...
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import sympy
import torch

from ..fit.data import Scaling
from .magnitude import Scale, law_expressions, prune_expression, term_magnitudes
from .template import Templater

PRUNE = 1e-5
MAX_LIVE_WEIGHTS = 200


class ReadoutTooComplex(ValueError):
    """The network has too many live weights for a symbolic read-out to be meaningful."""


@dataclass
class Readout:
    """Equations of one trial.

    Attributes:
        skeleton: structure with coefficient symbols c0, c1, ... (a SymPy string).
        param_values: (P,) raw parameter values.
        coefficients: slot name -> (P,) values.
        expressions: SymPy expression per parameter value (thresholded, raw units).
        n_live_weights: weights that reach the output.
        scale: the units thresholds act in (:class:`peql.symbolic.magnitude.Scale`): the
            training inputs' box and the target range per parameter value.
    """

    skeleton: str
    param_values: np.ndarray
    coefficients: dict[str, np.ndarray]
    expressions: list[sympy.Expr]
    n_live_weights: int
    scale: Scale | None = None

    def expression_strings(self, digits: int = 6) -> list[str]:
        return [format_expr(e, digits) for e in self.expressions]


def format_expr(expr, digits: int = 6) -> str:
    """A SymPy-parsable string with floats rounded to ``digits`` significant digits."""
    expr = sympy.sympify(expr)
    return str(expr.xreplace({f: sympy.Float(f, digits) for f in expr.atoms(sympy.Float)}))


def check_threshold(threshold: float, name: str = "threshold") -> float:
    """A read-out threshold must be a number >= 0 (0 keeps every coefficient)."""
    try:
        value = float(threshold)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number >= 0, got {threshold!r}") from None
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a number >= 0 (0 keeps every coefficient), got {threshold!r}")
    return value


def prune_terms(expr, threshold: float):
    """Drop additive terms with |leading coefficient| < threshold, at the top level and inside
    function arguments (where an argument keeps at least one term)."""

    def inner(e):
        if e.is_Atom:
            return e
        if e.is_Add:
            kept = [t for t in e.args if abs(float(t.as_coeff_Mul()[0] if not t.is_number else t)) >= threshold]
            return sympy.Add(*[inner(t) for t in (kept or [max(e.args, key=lambda t: abs(t.as_coeff_Mul()[0]))])])
        return e.func(*[inner(a) for a in e.args])

    terms = [t for t in sympy.Add.make_args(expr)
             if abs(float(t if t.is_number else t.as_coeff_Mul()[0])) >= threshold]
    return sympy.Add(*[inner(t) for t in terms])


def _live_masks(weights: Sequence[np.ndarray], plans, skip: bool) -> list[np.ndarray]:
    """Boolean (in, out) masks of the weights that are nonzero and reach the output."""
    active = [np.abs(w).max(axis=0) > PRUNE for w in weights]
    live = [np.zeros_like(a) for a in active]
    need = active[-1][:, 0].copy()  # entries of the last hidden output used by the output layer
    live[-1][:, 0] = active[-1][:, 0]
    for l in range(len(plans) - 1, -1, -1):
        plan = plans[l]
        n_out = plan.n_out
        need_f = need[:n_out]
        need_prev = need[n_out:] if (skip and l < len(plans) - 1) else np.zeros(plan.in_dim, bool)
        cols = np.zeros(plan.n_pre, bool)
        for grp in plan.groups:
            if grp.primitive.name == "constant":
                continue
            used = need_f[grp.out[0]:grp.out[1]]
            cols[grp.pre[0]:grp.pre[1]] = np.repeat(used, grp.primitive.arity)
        live[l] = active[l] & cols[None, :]
        need = need_prev | live[l].any(axis=1)
    return live


def build_expression(weights: Sequence[np.ndarray], plans, skip: bool, input_symbols, scaling_in,
                     live: Sequence[np.ndarray]):
    """The network output as a SymPy expression with one symbol per live weight.

    Returns (expression, weight_symbols, weight_values) where weight_values[i] is the (P,) array
    of weight_symbols[i] across parameter values."""
    syms, values = [], []
    h = [s / sympy.Float(float(sc)) if sc != 1 else s for s, sc in zip(input_symbols, scaling_in)]
    for l, plan in enumerate(plans):
        w = weights[l]
        g = []
        for j in range(plan.n_pre):
            acc = 0
            for i in np.nonzero(live[l][:, j])[0]:
                s = sympy.Symbol(f"w{l}_{i}_{j}")
                syms.append(s)
                values.append(w[:, i, j])
                acc += s * h[i]
            g.append(acc)
        f = []
        for grp in plan.groups:
            a = grp.pre[0]
            for u in range(grp.count):
                if grp.primitive.arity == 1:
                    f.append(grp.primitive.sympy_fn(g[a + u], **grp.params))
                else:
                    f.append(grp.primitive.sympy_fn(g[a + 2 * u], g[a + 2 * u + 1], **grp.params))
        h = f + h if (skip and l < len(plans) - 1) else f
    out = 0
    for k in np.nonzero(live[-1][:, 0])[0]:
        s = sympy.Symbol(f"wout_{k}")
        syms.append(s)
        values.append(weights[-1][:, k, 0])
        out += s * h[k]
    return out, syms, values


def law_of(skeleton, coefficients: dict, input_names: Sequence[str], scale: "Scale | None",
           threshold: float) -> list:
    """The law at every parameter value with the terms below ``threshold`` dropped: by magnitude in
    the network's units when ``scale`` is known (:mod:`peql.symbolic.magnitude`), else by the raw
    leading coefficient (read-outs in the data's own units, such as a recurrent cell's heads)."""
    expr = sympy.sympify(skeleton)
    if scale is not None:
        return law_expressions(expr, coefficients, input_names, scale, threshold)
    n = len(next(iter(coefficients.values()))) if coefficients else 1
    return [prune_terms(expr.xreplace({sympy.Symbol(k): sympy.Float(float(v[p])) for k, v in coefficients.items()}),
                        threshold) for p in range(n)]


def terms_reaching(skeleton, coefficients: dict, input_names: Sequence[str], scale: "Scale | None",
                   threshold: float) -> list:
    """The top-level terms of ``skeleton`` that reach ``threshold`` at some parameter value (by
    magnitude when ``scale`` is known, else by the raw leading coefficient); terms without a
    coefficient slot always do."""
    expr = sympy.sympify(skeleton)
    slots = {sympy.Symbol(k) for k in coefficients}
    terms = list(sympy.Add.make_args(expr))
    if scale is not None:
        _, mags = term_magnitudes(expr, coefficients, input_names, scale)
        reach = [bool(np.any(m >= threshold)) for m in mags]
    else:
        leads = [[f for f in sympy.Mul.make_args(t) if f in slots] for t in terms]
        reach = [bool(np.any(np.abs(coefficients[str(ls[0])]) >= threshold)) if ls else True for ls in leads]
    return [t for t, ok in zip(terms, reach) if ok or not (t.free_symbols & slots)]


def _kept_terms(template, values: dict, names: Sequence[str], scale: Scale, threshold: float):
    """The template's top-level terms whose magnitude (:mod:`peql.symbolic.magnitude`) reaches
    ``threshold`` at some parameter value (terms without a coefficient slot always stay)."""
    terms, mags = term_magnitudes(template, values, names, scale)
    keep = [t for t, m in zip(terms, mags) if not (t.free_symbols & {sympy.Symbol(k) for k in values})
            or np.any(m >= threshold)]
    return sympy.Add(*keep)


def read_out(model, trial: int, scaling: Scaling, param_values: np.ndarray, t_net: np.ndarray,
             threshold: float = 0.01, max_live: int = MAX_LIVE_WEIGHTS) -> Readout:
    """Equations of one trial of a symbolic model at every parameter value of ``param_values``.

    Args:
        model: a trained :class:`~peql.nn.base.SymbolicModel` (all trials).
        trial: which trial to read out.
        scaling: the training data's scaling (undone here).
        param_values: (P,) raw parameter values (the training grid).
        t_net: (P,) the same values in network units.
        threshold: drop terms whose magnitude in the network's units is below this.
        max_live: refuse (ReadoutTooComplex) networks with more live weights than this: their
            expansion is slow and the expression meaningless.
    """
    sub = model.select_trials([trial])
    P = len(param_values)
    device = next(sub.parameters()).device
    with torch.no_grad():
        t = torch.as_tensor(t_net, dtype=torch.float32, device=device).view(1, P)
        weights = [w[0].double().cpu().numpy() for w in sub.effective_weights(None, t)]
    is_eql = sub.param_as_input
    in_names = list(sub.input_names)
    input_symbols = [sympy.Symbol(n) for n in in_names]
    scales = list(scaling.x_scale)
    param_sym = sympy.Symbol(sub.param_name)
    if is_eql:
        input_symbols.append(param_sym)
        scales.append(scaling.t_scale)
    live = _live_masks(weights, sub.plans, sub.spec.skip)
    n_live = int(sum(m.sum() for m in live))
    if n_live > max_live:
        raise ReadoutTooComplex(f"{n_live} live weights (limit {max_live}): not sparse enough to read out")
    net, wsyms, wvals = build_expression(weights, sub.plans, sub.spec.skip, input_symbols, scales, live)
    R, M = sympy.Symbol("__range"), sympy.Symbol("__min")
    expanded = sympy.expand(R * net + M)
    templater = Templater(input_symbols)
    template = templater.build(expanded)
    fn = sympy.lambdify(wsyms + [R, M], templater.slots, modules="numpy")
    args = [np.broadcast_to(v, (P,)) if len(v) in (1, P) else v for v in wvals]
    slot_values = [np.broadcast_to(np.asarray(v, dtype=float), (P,)).copy()
                   for v in fn(*args, np.asarray(scaling.y_range, float), np.asarray(scaling.y_min, float))]
    scale = Scale({str(sym): float(sc) for sym, sc in zip(input_symbols, scales)},
                  np.broadcast_to(np.asarray(scaling.y_range, float), (P,)).copy())
    named = {s: sympy.Symbol(f"k{i}") for i, s in enumerate(templater.symbols)}
    values = {f"k{i}": v for i, v in enumerate(slot_values)}
    kept = _kept_terms(template.xreplace(named), values, [str(s) for s in input_symbols], scale, threshold)
    used = sorted((s for s in kept.free_symbols if str(s) in values), key=lambda s: int(str(s)[1:]))
    names = {s: sympy.Symbol(f"c{i}") for i, s in enumerate(used)}
    skeleton = kept.xreplace(names)
    coefficients = {str(names[s]): values[str(s)] for s in used}
    if is_eql:  # one law in the inputs and the parameter: the parameter's value goes in, then prune
        law = skeleton.xreplace({sympy.Symbol(k): sympy.Float(float(v[0])) for k, v in coefficients.items()})
        x_scale = Scale({n: float(sc) for n, sc in zip(in_names, scaling.x_scale)})
        expressions = [prune_expression(law.xreplace({param_sym: sympy.Float(float(param_values[p]))}), in_names,
                                        Scale(x_scale.inputs, scale.target[p:p + 1]), threshold) for p in range(P)]
    else:
        expressions = law_expressions(skeleton, coefficients, in_names, scale, threshold)
    return Readout(str(skeleton), np.asarray(param_values, float), coefficients, expressions, n_live, scale)
