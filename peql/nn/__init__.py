"""Networks: primitives, gates, the symbolic layer and the eql / seql / heql / mlp architectures."""

from .architecture import Architecture
from .base import ModelContext, SymbolicModel, TrialModule
from .primitives import Primitive
from .spec import NetworkSpec, UnitGroup

__all__ = ["Architecture", "ModelContext", "NetworkSpec", "Primitive", "SymbolicModel", "TrialModule", "UnitGroup"]
