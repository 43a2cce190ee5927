"""Candidate-term libraries of the linear baselines, built from a dataset's input features.

Three kinds (setting ``library``):

* ``"features"`` (the default): a constant plus the inputs exactly as the dataset gives them. The
  baselines then see what the networks see, so a dataset derived ``--cross-terms`` (inputs
  ``u, u_x, u_xx, u_u_x, u_u_xx``) gives the paper's "with cross terms" row and one without gives
  the "no cross terms" row, where no linear method can represent ``u*u_x``.
* ``"products"``: Rudy et al.'s library {1, u, u^2, ..., u^degree} x {1, u_x, u_xx, ...}, built
  from a field ``u`` and its space derivatives among the inputs.
* ``"polynomial"``: every monomial of the inputs up to total degree ``degree``, constant included.

Inputs that are themselves products of two other inputs (the stored cross terms ``u_u_x``, named
by :func:`peql.data.fields.product_name`) are not used as factors by ``products`` and
``polynomial``; a generated term equal to such a product takes the stored input's name instead,
so that an expression reads ``u_u_x`` exactly as the dataset's ``true_equation`` does.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

LIBRARIES = ("features", "products", "polynomial")


@dataclass(frozen=True)
class Term:
    """One library column.

    Attributes:
        name: SymPy string in the input names (``"1"``, ``"u**2*u_x"``, ``"u_u_x"``).
        factors: indices of the input columns whose product is the column (repeats for powers;
            empty for the constant).
    """

    name: str
    factors: tuple[int, ...]


def product_inputs(input_names: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Inputs named ``a_b`` where ``a`` and ``b`` are inputs too: name -> (a, b)."""
    names = list(input_names)
    out = {}
    for n in names:
        for a in names:
            b = n[len(a) + 1:]
            if n.startswith(a + "_") and b in names and b != n:
                out[n] = (a, b)
                break
    return out


def monomial_name(factor_names: Sequence[str], input_names: Sequence[str]) -> str:
    """``["u", "u", "u_x"]`` -> ``"u**2*u_x"`` (factors in input order); ``[]`` -> ``"1"``."""
    if not factor_names:
        return "1"
    parts = []
    for n in sorted(set(factor_names), key=list(input_names).index):
        k = list(factor_names).count(n)
        parts.append(n if k == 1 else f"{n}**{k}")
    return "*".join(parts)


def field_and_derivatives(input_names: Sequence[str]) -> tuple[str, list[str]]:
    """The field ``u`` and its derivative inputs ``u_x, u_xx, ...`` (by increasing order).

    Raises:
        ValueError: no single input has derivatives among the inputs, or some input is neither
            the field, a derivative nor a stored product (the message lists the inputs).
    """
    names = list(input_names)
    products = product_inputs(names)
    base = [n for n in names if n not in products]
    fields = [n for n in base if any(re.fullmatch(re.escape(n) + r"_x+", m) for m in base)]
    if len(fields) != 1:
        raise ValueError(f"library 'products' needs one field u with derivative inputs u_x, u_xx, "
                         f"...; inputs are {names} (use library 'polynomial' or 'features')")
    u = fields[0]
    derivs = sorted((m for m in base if re.fullmatch(re.escape(u) + r"_x+", m)), key=len)
    other = [n for n in base if n != u and n not in derivs]
    if other:
        raise ValueError(f"library 'products' builds on {u} and {derivs} only; inputs {other} do "
                         "not fit it (use library 'polynomial' or 'features')")
    return u, derivs


def build_library(input_names: Sequence[str], kind: str = "features", degree: int = 3) -> list[Term]:
    """The library's terms.

    Args:
        input_names: the dataset's input names, in column order.
        kind: one of :data:`LIBRARIES`.
        degree: ``products``: the highest power of the field u; ``polynomial``: the highest total
            degree; ignored by ``features``.

    Raises:
        ValueError: an unknown kind, a degree below 1, or inputs that do not fit the kind.
    """
    names = list(input_names)
    if kind not in LIBRARIES:
        raise ValueError(f"unknown library {kind!r}; expected one of {list(LIBRARIES)}")
    if isinstance(degree, bool) or int(degree) != degree or degree < 1:
        raise ValueError(f"library degree must be an integer >= 1, got {degree!r}")
    if kind == "features":
        return [Term("1", ())] + [Term(n, (i,)) for i, n in enumerate(names)]
    if kind == "products":
        u, derivs = field_and_derivatives(names)
        combos = [[u] * p + ([d] if d else []) for p in range(int(degree) + 1) for d in [None, *derivs]]
    else:
        base = [n for n in names if n not in product_inputs(names)]
        combos = [list(c) for k in range(int(degree) + 1)
                  for c in itertools.combinations_with_replacement(base, k)]
    return [_term(c, names) for c in combos]


def _term(factor_names: list[str], names: list[str]) -> Term:
    for stored, pair in product_inputs(names).items():
        if sorted(pair) == sorted(factor_names):
            return Term(stored, (names.index(stored),))
    return Term(monomial_name(factor_names, names), tuple(names.index(f) for f in factor_names))


def library_matrix(x: np.ndarray, terms: Sequence[Term]) -> np.ndarray:
    """(n, len(terms)) values of the library columns on inputs ``x`` (n, d)."""
    out = np.ones((x.shape[0], len(terms)))
    for j, term in enumerate(terms):
        for i in term.factors:
            out[:, j] *= x[:, i]
    return out
