"""The data stage: benchmark systems, derivative precomputation and the canonical dataset.

See :mod:`peql.data.dataset` for the layout every later stage consumes and
:mod:`peql.data.store` for how it is stored (zarr format 3, written atomically).
"""

from __future__ import annotations

from .dataset import (
    DATASET_VERSION,
    SPLITS,
    DatasetError,
    dataset_fingerprint,
    dataset_settings,
    extrapolation_mask,
    input_names,
    image_arrays,
    sequence_arrays,
    split_arrays,
    split_mask,
    tabular_dataset,
    true_coefficients,
    validate_dataset,
)
from .derivatives import BUILTIN_DERIVATIVES, Derivative
from .derive import derive_features
from .store import read_dataset, write_dataset
from .systems import BUILTIN_SYSTEMS, Run, System

__all__ = [
    "BUILTIN_DERIVATIVES",
    "BUILTIN_SYSTEMS",
    "DATASET_VERSION",
    "DatasetError",
    "Derivative",
    "Run",
    "SPLITS",
    "System",
    "dataset_fingerprint",
    "dataset_settings",
    "extrapolation_mask",
    "derive_features",
    "input_names",
    "read_dataset",
    "image_arrays",
    "sequence_arrays",
    "split_arrays",
    "split_mask",
    "tabular_dataset",
    "true_coefficients",
    "validate_dataset",
    "write_dataset",
]
