"""peql: discover parametric equations (laws whose coefficients vary with a parameter) with
EQL-family networks, baselines and a Snakemake pipeline."""

from ._version import __version__

from .fit import FitResult, FitSettings
from .hookspecs import hookimpl
from .nn.architecture import Architecture
from .nn.encoders import Encoder
from .nn.primitives import Primitive
from .plugins import fingerprint, get_registry, load_registry
from .registry import DuplicateComponentError, Registry, RegistryError, UnknownComponentError
from .tasks import Task
from .discover import ParametricRegressor

__all__ = [
    "Architecture",
    "DuplicateComponentError",
    "Encoder",
    "FitResult",
    "FitSettings",
    "ParametricRegressor",
    "Primitive",
    "Registry",
    "RegistryError",
    "Task",
    "UnknownComponentError",
    "__version__",
    "fingerprint",
    "get_registry",
    "hookimpl",
    "load_registry",
]
