"""Encoders: learned maps from raw observations (particle images, digit images) to the scalar
latents a symbolic head reads, trained end to end with it.

An encoder is applied with shared weights to every *slot* of a sample (each particle's image,
each digit) and returns one scalar per slot, so a sample of ``S`` images becomes an ``S``-input
equation. Like every peql network it is trial-batched: parameters carry a leading trial axis, and
the trials' convolutions run as one grouped convolution (``groups = n_trials``), their dense
layers as one batched matmul.

The built-in ``conv1d`` is the parametric-EQL paper's spring encoder (original-code-facts 4.5:
two linear 5-wide convolutions of 32 and 64 filters, each followed by max-pooling by 2, then
dense 128 / 16 (ReLU) / 1); ``conv2d`` is the earlier paper's digit encoder (5x5 convolutions with
ReLU, same dense stack); ``series1d`` its dynamics encoder, which reads a whole trajectory as a
``(states, steps)`` image with the states as input channels (two ReLU convolutions of 16 filters
without pooling, dense 16 / 1).

The latent normalisation (``norm``): the original ends the spring encoder with a BatchNorm whose
statistics are never updated, so it computes ``gamma * z / sqrt(1 + 1e-3) + beta``: a learned
affine map. peql's ``"affine"`` is exactly that map (gamma starts at 1 / sqrt(1.001), beta at 0),
identical in training and evaluation, so a trained encoder gives the same latent for an image
whatever batch it arrives in. The digit script's BatchNorm did update its statistics; peql uses
the affine map there too (a real batch norm would make a sample's latent depend on its batch),
and the latent's scale is free anyway: the read-out maps latents to true values by a fitted line.
``"none"`` leaves the dense output as it is. ``"batch"`` is the dynamics and digit scripts' real
BatchNorm: in training the latent is standardised over the batch (per trial) before the affine
map, and running averages (momentum 0.99, Keras') stand in at evaluation. The latent cannot
collapse to a constant then, which an encoder trained only through a recurrent cell otherwise
tends to do.

Augmentation (``shift``, ``pixel_noise``): training-time perturbations of each image, drawn by the
sampler as a pure function of (seed, step) like the gate noise, so a resumed run sees the same
ones; evaluation never augments. A small image set (the 1,078 bundled training digits against
the original's 10,000 MNIST images) is nearly memorised by this encoder without them (measured
with the digits workflow's head: rounded-sum accuracy 84-87 % on unseen digits, 99 % on the
training ones; 97 % with ``shift: 1`` and ``pixel_noise: 0.1``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .base import take_options

_BN_EPS = 1e-3  # Keras BatchNormalization's epsilon: the original's frozen BN divides by sqrt(1 + eps)
_BN_MOMENTUM = 0.99  # Keras BatchNormalization's running-average momentum


@dataclass(frozen=True)
class Encoder:
    """A registered encoder.

    Attributes:
        name: registry name (``conv1d``, ``conv2d``, ...).
        build: ``build(n_trials, image_shape, options) -> nn.Module``; the module maps
            ``(T, *batch, *image_shape)`` to ``(T, *batch)`` latents and has
            ``reset_parameters(generator)`` (re-drawing every trial's weights). Optionally,
            training-time augmentation: ``augment_size()`` (standard normals per image, 0 for
            none) and ``augment(images, draws)``; see :func:`augment_size`.
        image_dims: how many trailing axes one image has (1 for 1-D images, 2 for 2-D).
        description: one line for ``peql list``.
    """

    name: str
    build: Callable[[int, Sequence[int], Mapping[str, Any]], nn.Module]
    image_dims: int
    description: str = ""


def augment_size(encoder: nn.Module) -> int:
    """Standard-normal draws one image's augmentation needs from ``encoder`` (0 when it does not
    augment, including encoders that do not implement augmentation)."""
    size = getattr(encoder, "augment_size", None)
    return int(size()) if callable(size) else 0


def _glorot(shape: Sequence[int], fan_in: int, fan_out: int, generator: torch.Generator) -> torch.Tensor:
    """Keras' default (Glorot-uniform) initialisation, one draw per trial."""
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return (2 * torch.rand(tuple(shape), generator=generator) - 1) * limit


class ConvEncoder(nn.Module):
    """Convolutions with max-pooling, a dense stack and a latent normalisation, per trial.

    Args:
        n_trials: independent encoders in the batch.
        image_shape: ``(length,)`` or ``(height, width)``.
        options: see :attr:`DEFAULTS`.
    """

    DEFAULTS = {
        "channels": [32, 64],        # filters of each convolution
        "kernel": 5,                 # 'same' padding, stride 1
        "pool": 2,                   # max-pool after each convolution ('same': ceil)
        "conv_activation": "none",   # the spring encoder's convolutions are linear; digits use relu
        "dense": [128, 16],          # ReLU layers before the scalar output
        "norm": "affine",            # "affine" (the original's frozen BatchNorm), "batch" or "none"
        "in_channels": 1,            # > 1: the first image axis holds channels (a series' state variables)
        "shift": 0,                  # training: random whole-pixel translation of up to this much per axis
        "pixel_noise": 0.0,          # training: std of Gaussian noise added to every pixel
    }

    def __init__(self, n_trials: int, image_shape: Sequence[int], options: Mapping[str, Any], name: str = "conv"):
        super().__init__()
        self.options = opts = take_options(options, self.DEFAULTS, name)
        self.image_shape = tuple(int(s) for s in image_shape)
        self.in_channels = c_in = int(opts["in_channels"])
        spatial = self.image_shape[1:] if c_in > 1 else self.image_shape
        if c_in > 1 and self.image_shape[0] != c_in:
            raise ValueError(f"{name} expects {c_in} channels on the first image axis, got image shape "
                             f"{self.image_shape}")
        self.dims = len(spatial)
        if self.dims not in (1, 2):
            raise ValueError(f"{name} needs 1-D or 2-D images, got image shape {self.image_shape}")
        if opts["conv_activation"] not in ("none", "relu"):
            raise ValueError(f"{name} conv_activation must be 'none' or 'relu', got {opts['conv_activation']!r}")
        if opts["norm"] not in ("affine", "batch", "none"):
            raise ValueError(f"{name} norm must be 'affine', 'batch' or 'none', got {opts['norm']!r}")
        self.shift, self.pixel_noise = int(opts["shift"]), float(opts["pixel_noise"])
        if self.shift < 0 or self.pixel_noise < 0 or self.shift != opts["shift"]:
            raise ValueError(f"{name} shift must be a whole number >= 0 and pixel_noise >= 0, got "
                             f"shift={opts['shift']!r}, pixel_noise={opts['pixel_noise']!r}")
        self.n_trials = T = n_trials
        k, chans = int(opts["kernel"]), [c_in, *[int(c) for c in opts["channels"]]]
        self.conv_w = nn.ParameterList(
            [nn.Parameter(torch.zeros(T, co, ci, *([k] * self.dims))) for ci, co in zip(chans[:-1], chans[1:])])
        self.conv_b = nn.ParameterList([nn.Parameter(torch.zeros(T, co)) for co in chans[1:]])
        size = list(spatial)
        for _ in chans[1:]:
            size = [math.ceil(s / int(opts["pool"])) for s in size]
        sizes = [chans[-1] * math.prod(size), *[int(d) for d in opts["dense"]], 1]
        self.dense_w = nn.ParameterList([nn.Parameter(torch.zeros(T, a, b)) for a, b in zip(sizes[:-1], sizes[1:])])
        self.dense_b = nn.ParameterList([nn.Parameter(torch.zeros(T, 1, b)) for b in sizes[1:]])
        self.gamma = nn.Parameter(torch.ones(T))
        self.beta = nn.Parameter(torch.zeros(T))
        if opts["norm"] == "batch":  # only then, so that checkpoints of the other norms keep their layout
            self.register_buffer("running_mean", torch.zeros(T))
            self.register_buffer("running_var", torch.ones(T))

    def reset_parameters(self, generator: torch.Generator) -> None:
        with torch.no_grad():
            for w, b in zip(self.conv_w, self.conv_b):
                field = math.prod(w.shape[3:])
                w.copy_(_glorot(w.shape, w.shape[2] * field, w.shape[1] * field, generator))
                b.zero_()
            for w, b in zip(self.dense_w, self.dense_b):
                w.copy_(_glorot(w.shape, w.shape[1], w.shape[2], generator))
                b.zero_()
            self.gamma.fill_(1.0 / math.sqrt(1.0 + _BN_EPS))
            self.beta.zero_()
            if self.options["norm"] == "batch":
                self.running_mean.zero_()
                self.running_var.fill_(1.0)

    def augment_size(self) -> int:
        """Standard-normal draws one image's augmentation needs (0: no augmentation)."""
        return (self.dims if self.shift else 0) + (math.prod(self.image_shape) if self.pixel_noise else 0)

    def augment(self, images: torch.Tensor, draws: torch.Tensor) -> torch.Tensor:
        """Training-time copies of ``images`` ``(..., *image_shape)``: each translated by a whole
        number of pixels in ``[-shift, shift]`` per spatial axis (zero fill), then with Gaussian
        pixel noise; ``draws`` ``(..., augment_size())`` are standard normals."""
        if self.shift:
            images = self._translate(images, torch.special.ndtr(draws[..., :self.dims]))
            draws = draws[..., self.dims:]
        if self.pixel_noise:
            images = images + self.pixel_noise * draws.reshape(images.shape)
        return images

    def _translate(self, images: torch.Tensor, uniform: torch.Tensor) -> torch.Tensor:
        s, spatial = self.shift, self.image_shape[-self.dims:]
        lead = images.shape[:images.dim() - len(self.image_shape)]
        flat = images.reshape(-1, math.prod(self.image_shape[:-self.dims]), *spatial)
        # offset o in [0, 2s] reads padded[o + i]: the image moves by s - o pixels.
        offset = (uniform.reshape(-1, self.dims) * (2 * s + 1)).long().clamp_(0, 2 * s)
        padded = F.pad(flat, [s] * (2 * self.dims))
        index = torch.zeros(flat.shape[0], *spatial, dtype=torch.long, device=images.device)
        stride = 1
        for axis in reversed(range(self.dims)):
            size = spatial[axis]
            pos = offset[:, axis].view(-1, *[1] * self.dims) + torch.arange(size, device=images.device).view(
                *[1] * axis, size, *[1] * (self.dims - axis - 1))
            index = index + pos * stride
            stride *= size + 2 * s
        moved = padded.flatten(2).gather(2, index.flatten(1).unsqueeze(1).expand(-1, flat.shape[1], -1))
        return moved.reshape(*lead, *self.image_shape)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Latents ``(T, *batch)`` of images ``(T, *batch, *image_shape)``."""
        T, dims = self.n_trials, len(self.image_shape)
        if tuple(images.shape[-dims:]) != self.image_shape:
            raise ValueError(f"encoder expects images of shape {self.image_shape}, got {tuple(images.shape[-dims:])}")
        batch = images.shape[1:-dims]
        n = math.prod(batch)
        # Trials become channel groups: (n, T * channels, *image), one grouped convolution each.
        c_in, spatial = self.in_channels, self.image_shape[-self.dims:]
        h = images.reshape(T, n, c_in, *spatial).transpose(0, 1).reshape(n, T * c_in, *spatial)
        conv = F.conv1d if self.dims == 1 else F.conv2d
        pool = F.max_pool1d if self.dims == 1 else F.max_pool2d
        p = int(self.options["pool"])
        for w, b in zip(self.conv_w, self.conv_b):
            h = conv(h, w.reshape(-1, *w.shape[2:]), b.reshape(-1), padding="same", groups=T)
            if self.options["conv_activation"] == "relu":
                h = torch.relu(h)
            if p > 1:
                h = pool(h, p, p, ceil_mode=True)
        h = h.reshape(n, T, -1).transpose(0, 1)                      # (T, n, features)
        last = len(self.dense_w) - 1
        for i, (w, b) in enumerate(zip(self.dense_w, self.dense_b)):
            h = torch.baddbmm(b, h, w)
            if i < last:
                h = torch.relu(h)
        z = h.squeeze(-1)
        if self.options["norm"] == "batch":
            z = self._standardise(z)
        if self.options["norm"] in ("affine", "batch"):
            z = self.gamma.unsqueeze(1) * z + self.beta.unsqueeze(1)
        return z.reshape(T, *batch)

    def _standardise(self, z: torch.Tensor) -> torch.Tensor:
        """``(T, n)`` latents over the batch in training (updating the running averages), over
        the running averages otherwise."""
        if self.training:
            mean, var = z.mean(1), z.var(1, unbiased=False)
            with torch.no_grad():
                self.running_mean.lerp_(mean, 1.0 - _BN_MOMENTUM)
                self.running_var.lerp_(z.var(1) if z.shape[1] > 1 else var, 1.0 - _BN_MOMENTUM)
        else:
            mean, var = self.running_mean, self.running_var
        return (z - mean.unsqueeze(1)) / torch.sqrt(var.unsqueeze(1) + _BN_EPS)


def conv1d(n_trials: int, image_shape: Sequence[int], options: Mapping[str, Any]) -> ConvEncoder:
    return ConvEncoder(n_trials, image_shape, options, "conv1d")


def conv2d(n_trials: int, image_shape: Sequence[int], options: Mapping[str, Any]) -> ConvEncoder:
    return ConvEncoder(n_trials, image_shape, {"conv_activation": "relu", **options}, "conv2d")


def series1d(n_trials: int, image_shape: Sequence[int], options: Mapping[str, Any]) -> ConvEncoder:
    """The earlier paper's dynamics encoder: a ``(states, steps)`` series, two ReLU 'same'
    convolutions of 16 filters (width 5) without pooling, dense 16 (ReLU) / 1, affine latent."""
    defaults = {"channels": [16, 16], "kernel": 5, "pool": 1, "conv_activation": "relu", "dense": [16],
                "in_channels": int(image_shape[0])}
    return ConvEncoder(n_trials, image_shape, {**defaults, **options}, "series1d")


BUILTIN_ENCODERS = [
    Encoder("conv1d", conv1d, 1, "the spring encoder: 2 linear 1-D convolutions + max-pool, dense 128/16/1, affine latent"),
    Encoder("conv2d", conv2d, 2, "the digit encoder: 2 ReLU 5x5 convolutions + max-pool, dense 128/16/1, affine latent"),
    Encoder("series1d", series1d, 2, "the dynamics encoder: a (states, steps) series, 2 ReLU 1-D convolutions "
            "of 16, dense 16/1, affine latent"),
]
