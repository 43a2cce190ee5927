"""Non-network baselines (SGTR, PySINDy per slice, SINDy-CP) that read the canonical features and
write ``equations.json`` in the networks' contract. pysindy is imported only when a PySINDy
baseline runs (``pip install peql[baselines]``)."""

from __future__ import annotations

from .base import Baseline, BaselineFit, require_pysindy
from .document import equations_document, linear_expression
from .library import LIBRARIES, Term, build_library, library_matrix
from .sgtr import SGTR, SGTRResult, sgtr
from .sindy import SINDY
from .sindy_cp import SINDY_CP

#: Registered by :mod:`peql.builtin`.
BUILTIN_BASELINES = (SGTR, SINDY, SINDY_CP)

__all__ = [
    "BUILTIN_BASELINES", "Baseline", "BaselineFit", "LIBRARIES", "SGTR", "SGTRResult", "SINDY", "SINDY_CP", "Term",
    "build_library", "equations_document", "library_matrix", "linear_expression",
    "require_pysindy", "sgtr",
]
