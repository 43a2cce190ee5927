"""Training: data on the device, minibatches, schedules, RMSProp, checkpoints, the fit loop."""

from .run import FitResult, fit
from .settings import FitSettings

__all__ = ["FitResult", "FitSettings", "fit"]
