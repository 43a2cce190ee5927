"""PySINDy feature libraries equal to :mod:`peql.baselines.library`'s, and the map from PySINDy's
output columns back to peql's term names.

PySINDy needs ``x_dot`` to have the shape of its state ``x``, and derivative features cannot be
states; so the first library input is passed as the state and the others as control ``u=``
(PySINDy concatenates state and control before applying the library). Each library kind uses
PySINDy's own classes:

* ``features``: ``PolynomialLibrary(degree=1)`` on all inputs (constant plus the inputs);
* ``polynomial``: ``PolynomialLibrary(degree)`` on the inputs that are not stored products;
* ``products``: a ``GeneralizedLibrary`` holding only the tensor product of
  ``PolynomialLibrary(degree)`` on ``u`` with ``PolynomialLibrary(degree=1)`` on the derivatives.

:func:`column_order` then checks, term by term, that PySINDy built exactly peql's library and
returns the permutation; both baselines therefore report the same term names (``u_u_x`` where the
dataset stores that product).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from .library import Term, build_library, field_and_derivatives, product_inputs


@dataclass
class SindyLibrary:
    """A PySINDy library recipe for one peql library.

    Attributes:
        make: ``make() -> BaseFeatureLibrary``, a fresh (unfitted) PySINDy library.
        columns: indices of the input columns PySINDy receives, in order (state first).
        terms: peql's library terms (the reference the PySINDy columns are mapped to).
    """

    make: Callable[[], Any]
    columns: list[int]
    terms: list[Term]


def sindy_library(ps, input_names: Sequence[str], kind: str, degree: int) -> SindyLibrary:
    """The PySINDy library (module ``ps``) for peql library ``kind`` on ``input_names``."""
    names = list(input_names)
    terms = build_library(names, kind, degree)  # validates kind, degree and the inputs
    if kind == "features":
        return SindyLibrary(lambda: ps.PolynomialLibrary(degree=1, include_bias=True),
                            list(range(len(names))), terms)
    if kind == "polynomial":
        stored = product_inputs(names)
        columns = [i for i, n in enumerate(names) if n not in stored]
        return SindyLibrary(lambda: ps.PolynomialLibrary(degree=int(degree), include_bias=True),
                            columns, terms)
    u, derivs = field_and_derivatives(names)

    def make():
        return ps.GeneralizedLibrary(
            [ps.PolynomialLibrary(degree=int(degree), include_bias=True),
             ps.PolynomialLibrary(degree=1, include_bias=True)],
            tensor_array=[[1, 1]], exclude_libraries=[0, 1],
            inputs_per_library=[[0], list(range(1, len(derivs) + 1))])

    return SindyLibrary(make, [names.index(u)] + [names.index(d) for d in derivs], terms)


def factor_key(factors: Sequence[str], input_names: Sequence[str]) -> tuple:
    """A term's identity: the multiset of its base factors (stored products expanded)."""
    stored = product_inputs(input_names)
    out: Counter = Counter()
    for f in factors:
        out.update(stored.get(f, (f,)))
    return tuple(sorted(out.items()))


def parse_sindy_name(name: str) -> list[str]:
    """PySINDy's ``"u^2 u_x"`` / ``"1 u_xx"`` -> factor names ``["u", "u", "u_x"]`` / ``["u_xx"]``."""
    factors = []
    for token in name.split():
        base, _, power = token.partition("^")
        if base != "1":
            factors += [base] * (int(power) if power else 1)
    return factors


def column_order(sindy_names: Sequence[Sequence[str]], terms: Sequence[Term],
                 input_names: Sequence[str]) -> list[int]:
    """For every peql term, the index of the PySINDy column that holds it.

    Args:
        sindy_names: factor names of each PySINDy column (from :func:`parse_sindy_name`).
        terms: peql's library terms.

    Raises:
        RuntimeError: PySINDy's library is not exactly peql's (a bug, never a user error).
    """
    names = list(input_names)
    keys = [factor_key(f, names) for f in sindy_names]
    index = {k: i for i, k in enumerate(keys)}
    wanted = [factor_key([names[i] for i in t.factors], names) for t in terms]
    if len(index) != len(keys) or sorted(keys) != sorted(wanted):
        raise RuntimeError(f"PySINDy's library {sorted(keys)} differs from peql's {sorted(wanted)}")
    return [index[k] for k in wanted]
