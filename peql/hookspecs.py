"""The plugin contract: one hook per kind of component.

Every hook receives a ``register`` callback and calls it once per component it provides::

    import peql

    @peql.hookimpl
    def register_primitives(register):
        register(peql.Primitive(name="cube", arity=1, torch_fn=lambda g: g**3,
                                sympy_fn=lambda g: g**3))

The registry records which plugin (and which version) supplied each component and refuses a
second component of the same kind under the same name: names appear in ``config.yaml`` and in
result paths, so a silent replacement would corrupt experiments.
"""

from __future__ import annotations

import pluggy

PROJECT_NAME = "peql"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def register_primitives(register):
    """Register primitive functions (``peql.Primitive``) that symbolic layers may use.

    Args:
        register: call ``register(primitive)`` once per primitive. A primitive carries its torch
            form, its SymPy form and its arity; ``peql.testing.check_primitive`` verifies that
            the two forms agree.
    """


@hookspec
def register_architectures(register):
    """Register network architectures (``peql.Architecture``: eql, seql, heql, mlp, ...).

    Args:
        register: call ``register(architecture)`` once per architecture. An architecture builds a
            trial-batched ``torch.nn.Module`` from a dataset layout and its settings.
    """


@hookspec
def register_encoders(register):
    """Register encoders that map raw observations (images) to latent inputs.

    Args:
        register: call ``register(peql.Encoder(name, build, image_dims, description))`` once per
            encoder. ``build(n_trials, image_shape, options)`` returns a module mapping
            ``(T, *batch, *image_shape)`` to one latent per image ``(T, *batch)``, with
            ``reset_parameters(generator)``; every parameter carries the trial axis first so that
            trials stay independent (see ``peql.nn.encoders`` and tests/core/test_encoded_pipeline.py).
            A module may add training-time augmentation with ``augment_size()`` (standard normals
            per image) and ``augment(images, draws)``; the trainer calls it, evaluation never does.
    """


@hookspec
def register_baselines(register):
    """Register non-network baselines (SGTR, PySINDy, ...) that write ``equations.json``.

    Args:
        register: call ``register(baseline)`` once per baseline (an object with a ``name``).
    """


@hookspec
def register_systems(register):
    """Register data generators (benchmark systems) that write the canonical dataset.

    Args:
        register: call ``register(system)`` once per system (an object with a ``name``).
    """


@hookspec
def register_derivatives(register):
    """Register numerical differentiation methods used by ``peql derive``.

    Args:
        register: call ``register(method)`` once per method (an object with a ``name``).
    """


@hookspec
def register_tasks(register):
    """Register kinds of experiment (``peql.Task``): what a run on a dataset of the kinds a task
    claims trains on, how it is read out into ``equations.json``, scored and shown in the report.

    Args:
        register: call ``register(task)`` once per task. Two tasks claiming one dataset kind are
            refused; ``peql.testing.check_task`` checks a task end to end.
    """
