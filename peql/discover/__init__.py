"""A user's own data: :class:`ParametricRegressor` (arrays, scikit-learn style), ``peql discover``
(:func:`discover`: a table to a results folder), the checks of user data and the figures."""

from .regressor import ParametricRegressor, choose_architecture
from .table import discover

__all__ = ["ParametricRegressor", "choose_architecture", "discover"]
