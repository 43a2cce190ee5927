"""peql: discover parametric equations (laws whose coefficients vary with a parameter) with
EQL-family networks, baselines and a Snakemake pipeline."""

from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("peql")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

from .fit import FitResult, FitSettings
from .hookspecs import hookimpl
from .nn.architecture import Architecture
from .nn.encoders import Encoder
from .nn.primitives import Primitive
from .plugins import fingerprint, get_registry, load_registry
from .registry import DuplicateComponentError, Registry, RegistryError, UnknownComponentError
from .regressor import ParametricRegressor

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
    "UnknownComponentError",
    "__version__",
    "fingerprint",
    "get_registry",
    "hookimpl",
    "load_registry",
]
