"""Turn a network expression with symbolic weights into a *template*: the expression's structure
with every weight-only subexpression replaced by a coefficient slot.

Doing the SymPy work once with symbolic weights, then evaluating the slots numerically at every
parameter value (one vectorised lambdify), is what makes reading out 128 or 256 parameter values
take seconds instead of minutes.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

import sympy


class Templater:
    """Builds a template over ``inputs`` (the symbols that are data, not coefficients)."""

    def __init__(self, inputs: Iterable[sympy.Symbol]):
        self.inputs = frozenset(inputs)
        self.slots: list[sympy.Expr] = []      # slot i's value as an expression in the weights
        self.symbols: list[sympy.Symbol] = []  # slot i's placeholder symbol

    def _slot(self, value: sympy.Expr) -> sympy.Expr:
        if value.is_number:
            return value
        sym = sympy.Dummy(f"k{len(self.slots)}")
        self.slots.append(value)
        self.symbols.append(sym)
        return sym

    def _has_input(self, e) -> bool:
        return bool(e.free_symbols & self.inputs)

    def _split(self, term):
        coeff, rest = [], []
        for f in sympy.Mul.make_args(term):
            (rest if self._has_input(f) else coeff).append(f)
        return sympy.Mul(*coeff), sympy.Mul(*rest)

    def build(self, e) -> sympy.Expr:
        """Template of ``e`` (expanded, weights symbolic)."""
        if not self._has_input(e):
            return self._slot(e)
        if e.is_Symbol:
            return e
        if e.is_Add:
            groups: dict = defaultdict(list)
            for term in e.args:
                coeff, rest = self._split(term)
                groups[rest].append(coeff)
            return sympy.Add(*[self._slot(sympy.Add(*coeffs)) * self._rest(rest)
                               for rest, coeffs in sorted(groups.items(), key=lambda kv: sympy.default_sort_key(kv[0]))])
        if e.is_Mul:
            coeff, rest = self._split(e)
            return self._slot(coeff) * self._rest(rest)
        return self._rest(e)

    def _rest(self, e):
        """Template of a product of input-carrying factors."""
        if e.is_Symbol or e.is_number:
            return e
        if e.is_Mul:
            return sympy.Mul(*[self._rest(f) for f in e.args])
        if e.is_Pow:
            base, exp = e.args
            new_exp = exp if exp.is_number else self.build(exp)
            return sympy.Pow(self.build(base) if base.is_Add else self._rest(base), new_exp)
        if e.is_Add:
            return self.build(e)
        if e.args:
            return e.func(*[self.build(sympy.expand(a)) for a in e.args])
        return e
