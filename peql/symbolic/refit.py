"""Refit of a read-out structure: least squares, in float64, on the skeleton's leading
coefficients at each parameter value, with the structure and any inner coefficients (frequencies,
phases) held fixed. This is what makes coefficients precise after a stochastic, regularised fit:
the gates chose the terms; the data then decide their coefficients exactly.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import sympy

from .readout import Readout, law_of, terms_reaching


def split_lead(term, slots: set):
    """(the first coefficient slot among the factors of ``term``, or None; the rest of the term)."""
    lead = [f for f in sympy.Mul.make_args(term) if f in slots]
    if not lead:
        return None, term
    return lead[0], sympy.Mul(*[f for f in sympy.Mul.make_args(term) if f != lead[0]])


def refit_readout(r: Readout, inputs: Sequence[np.ndarray], targets: Sequence[np.ndarray],
                  input_names: Sequence[str], threshold: float = 0.01) -> Readout:
    """A new :class:`Readout` whose leading coefficients are least-squares optimal per parameter
    value. ``inputs[p]`` (n_p, d) and ``targets[p]`` (n_p,) are the raw training data at
    ``r.param_values[p]``. Terms below ``threshold`` everywhere afterwards leave the skeleton (in
the read-out's units, :func:`peql.symbolic.readout.terms_reaching`)."""
    skeleton = sympy.sympify(r.skeleton)
    slot_syms = {sympy.Symbol(n) for n in r.coefficients}
    in_syms = [sympy.Symbol(n) for n in input_names]
    terms = [split_lead(t, slot_syms) for t in sympy.Add.make_args(skeleton)]
    lead_names = [str(l) if l is not None else None for l, _ in terms]
    funcs = [sympy.lambdify(in_syms + sorted(slot_syms, key=str), rest, "numpy") for _, rest in terms]
    order = sorted(slot_syms, key=str)
    new = {k: v.copy() for k, v in r.coefficients.items()}
    P = len(r.param_values)
    for p in range(P):
        X, y = np.asarray(inputs[p], float), np.asarray(targets[p], float)
        slot_vals = [r.coefficients[str(s)][p] for s in order]
        cols = [np.broadcast_to(np.asarray(f(*X.T, *slot_vals), float), (len(y),)) for f in funcs]
        A = np.stack(cols, axis=1)
        fixed = np.array([name is None for name in lead_names])
        rhs = y - (A[:, fixed].sum(axis=1) if fixed.any() else 0.0)
        coef, *_ = np.linalg.lstsq(A[:, ~fixed], rhs, rcond=None)
        for name, c in zip([n for n in lead_names if n is not None], coef):
            new[name][p] = c
    kept = sympy.Add(*terms_reaching(skeleton, new, input_names, r.scale, threshold))
    used = sorted(kept.free_symbols & slot_syms, key=lambda s: int(str(s)[1:]))
    rename = {s: sympy.Symbol(f"c{i}") for i, s in enumerate(used)}
    coefficients = {str(rename[s]): new[str(s)] for s in used}
    skeleton = kept.xreplace(rename)
    expressions = law_of(skeleton, coefficients, input_names, r.scale, threshold)
    return Readout(str(skeleton), r.param_values, coefficients, expressions, r.n_live_weights, r.scale)
