"""Hook implementations that register every built-in component, exactly as a third-party plugin
would (see ``plugins/README.md``)."""

from __future__ import annotations

from .hookspecs import hookimpl


@hookimpl
def register_primitives(register):
    from .nn.primitives import BUILTIN_PRIMITIVES

    for primitive in BUILTIN_PRIMITIVES:
        register(primitive)


@hookimpl
def register_architectures(register):
    from .nn.architecture import Architecture
    from .nn.eql import EQLNet
    from .nn.heql import HEQLNet
    from .nn.mlp import MLPNet
    from .nn.seql import SEQLNet

    register(Architecture("eql", EQLNet, "plain EQL with the parameter as an extra input (the paper's Table I reference)"))
    register(Architecture("seql", SEQLNet, "stacked EQL: a weight set per parameter value, shared gates, smoothing", grid=True))
    register(Architecture("heql", HEQLNet, "hyper EQL: meta-weight MLPs map the parameter to every layer's weights"))
    register(Architecture("mlp", MLPNet, "ReLU MLP on the inputs and the parameter (no equation)", symbolic=False))


@hookimpl
def register_encoders(register):
    from .nn.encoders import BUILTIN_ENCODERS

    for encoder in BUILTIN_ENCODERS:
        register(encoder)


@hookimpl
def register_systems(register):
    from .data.systems import BUILTIN_SYSTEMS

    for system in BUILTIN_SYSTEMS:
        register(system)


@hookimpl
def register_derivatives(register):
    from .data.derivatives import BUILTIN_DERIVATIVES

    for method in BUILTIN_DERIVATIVES:
        register(method)


@hookimpl
def register_baselines(register):
    from .baselines import BUILTIN_BASELINES

    for baseline in BUILTIN_BASELINES:
        register(baseline)


@hookimpl
def register_tasks(register):
    from .tasks import BUILTIN_TASKS

    for task in BUILTIN_TASKS:
        register(task)
