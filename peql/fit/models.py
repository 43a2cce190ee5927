"""How a training run's model is built from the registry and its settings, one builder per shape
of model: a plain architecture (:func:`build_network`), an encoder in front of one
(:func:`build_encoded`), a recurrent cell of one architecture network per state behind an
encoder (:func:`build_cell`). Each kind of experiment (:mod:`peql.tasks`) picks its builder; the
training loop takes whichever it is given."""

from __future__ import annotations

import torch

from ..nn.base import ModelContext
from ..nn.encoded import EncodedModel
from ..nn.recurrent import DynamicsModel
from ..nn.spec import NetworkSpec
from .sequences import LATENT
from .settings import FitSettings


def _context(registry, settings: FitSettings, data, input_names, param_name: str, seed: int) -> ModelContext:
    return ModelContext(
        n_trials=settings.trials, input_names=input_names, param_name=param_name, n_groups=data.n_groups,
        spec=NetworkSpec.from_dict(settings.network),
        primitives={n: registry.get("primitives", n) for n in registry.names("primitives")},
        options=settings.options, seed=seed,
    )


def _encoder(registry, settings: FitSettings, image_shape: tuple):
    encoder = registry.get("encoders", settings.encoder)
    if len(image_shape) != encoder.image_dims:
        raise ValueError(f"encoder {encoder.name!r} reads {encoder.image_dims}-D images; the dataset's "
                         f"images have shape {image_shape}")
    enc = encoder.build(settings.trials, image_shape, settings.encoder_options)
    enc.reset_parameters(torch.Generator().manual_seed(settings.seed + 7_919))
    return enc


def _checked_architecture(registry, settings: FitSettings):
    arch = registry.get("architectures", settings.architecture)
    if arch.grid and settings.batch_shape()[1] is not None:
        raise ValueError(f"{arch.name} predicts per training-grid value; use groups_per_batch: all")
    return arch


def build_network(registry, settings: FitSettings, data):
    """``settings.architecture``'s trial-batched network on the inputs of ``data`` (tables)."""
    if settings.encoder:
        raise ValueError(f"encoder {settings.encoder!r} reads images: this dataset has none (drop the encoder "
                         "setting, or fit a dataset of kind 'images')")
    if settings.residual:
        raise ValueError("residual: true is for recurrent cells (a trajectories dataset)")
    arch = _checked_architecture(registry, settings)
    model = arch.build(_context(registry, settings, data, data.input_names, data.param_name, settings.seed))
    return arch, model.to(data.device)


def build_encoded(registry, settings: FitSettings, data):
    """``settings.encoder`` in front of the architecture, which reads one latent per image slot."""
    if not settings.encoder:
        raise ValueError("an images dataset is read through an encoder: set encoder (e.g. encoder: conv1d; "
                         "`peql list encoders`)")
    if settings.residual:
        raise ValueError("residual: true is for recurrent cells (a trajectories dataset)")
    arch = _checked_architecture(registry, settings)
    head = arch.build(_context(registry, settings, data, data.input_names, data.param_name, settings.seed))
    model = EncodedModel(_encoder(registry, settings, tuple(data.x.shape[2:])), head)
    return arch, model.to(data.device)


def build_cell(registry, settings: FitSettings, data):
    """A recurrent cell of one architecture network per state variable (inputs: the states, with
    the latent ``z`` as the parameter) behind ``settings.encoder``."""
    if not settings.encoder:
        raise ValueError("a trajectories dataset needs an encoder for its series (e.g. encoder: series1d)")
    arch = _checked_architecture(registry, settings)
    if arch.grid:
        raise ValueError(f"{arch.name} indexes weights by parameter value; a recurrent cell needs eql or mlp heads")
    heads = [arch.build(_context(registry, settings, data, data.input_names, LATENT, settings.seed + 101 * i))
             for i in range(len(data.input_names))]
    model = DynamicsModel(_encoder(registry, settings, tuple(data.x.shape[1:])), heads, settings.residual)
    return arch, model.to(data.device)
