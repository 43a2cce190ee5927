"""Term shapes (DESIGN section 6b): a term without its leading numeric factor, with every other
number replaced by one symbol ``c``. ``0.999*sin(1.191*x)``, ``sin(1.2*x)`` and
``0.3*sin(1.963*x)`` all have the shape ``sin(c*x)``. Integer and rational exponents are kept
(``x**2`` and ``x**3`` differ). Every additive term inside a function argument or a power base
carries its own ``c`` (``sin(x)`` is ``sin(1*x)``), so that ``sin(x)`` and ``sin(2*x)`` share a
shape. Alongside the shape, :func:`decompose` returns the numbers that fill its ``c`` slots, in a
canonical order, so terms of one shape can be compared slot by slot.
"""

from __future__ import annotations

from functools import lru_cache

import sympy

C = sympy.Symbol("c")
_ONE = sympy.Integer(1)


def additive_terms(expr) -> tuple:
    """The additive terms of an expanded expression."""
    return sympy.Add.make_args(sympy.expand(expr))


def _inner(e) -> tuple[sympy.Expr, list[float]]:
    """A subexpression inside a function argument or a power base: every additive term gets a
    ``c``; slots are ordered by the terms' shapes."""
    parts = []
    for term in sympy.Add.make_args(e):
        coeff, rest = term.as_coeff_Mul()
        if rest.is_number:
            parts.append((_ONE, [float(term)]))
        else:
            shape, nums = _bare(rest)
            parts.append((shape, [float(coeff)] + nums))
    parts.sort(key=lambda p: sympy.default_sort_key(p[0]))
    shape = sympy.Add(*[C * s for s, _ in parts])
    return shape, [n for _, nums in parts for n in nums]


def _bare(e) -> tuple[sympy.Expr, list[float]]:
    """A product of non-numeric factors (no leading ``c``)."""
    if e.is_number:
        return _ONE, []
    if e.is_Symbol:
        return e, []
    if e.is_Mul:
        parts = [_bare(f) for f in e.args if not f.is_number]
        parts.sort(key=lambda p: sympy.default_sort_key(p[0]))
        return sympy.Mul(*[s for s, _ in parts]), [n for _, nums in parts for n in nums]
    if e.is_Pow:
        base, exp = e.args
        if exp.is_Rational:
            exp_shape, exp_nums = exp, []
        else:
            exp_shape, exp_nums = _inner(exp)
        base_shape, base_nums = _inner(base) if base.is_Add else _bare(base)
        return sympy.Pow(base_shape, exp_shape), base_nums + exp_nums
    if e.is_Add:
        return _inner(e)
    if e.args:  # a function application: sin, exp, sign, Abs, user functions
        parts = [_inner(a) for a in e.args]
        return e.func(*[s for s, _ in parts]), [n for _, nums in parts for n in nums]
    return e, []


@lru_cache(maxsize=8192)
def decompose(term) -> tuple[sympy.Expr, float, tuple[float, ...]]:
    """(shape, leading coefficient, inner slot values) of one additive term."""
    coeff, rest = term.as_coeff_Mul()
    if rest.is_number:
        return _ONE, float(term), ()
    # every numeric factor is part of the lead: 0.75*sqrt(2)*x**2 leads with 1.06, not 0.75
    numeric = [f for f in sympy.Mul.make_args(rest) if f.is_number]
    shape, nums = _bare(rest)
    return shape, float(coeff * sympy.Mul(*numeric)), tuple(nums)


def term_shape(term) -> sympy.Expr:
    """Shape of one additive term (its leading numeric factor removed)."""
    return decompose(term)[0]
