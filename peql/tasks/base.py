"""The ``Task`` component: one kind of experiment, registered through ``register_tasks``.

A task claims dataset kinds (``attrs["kind"]`` of a peql dataset) and owns everything that
differs between kinds of experiment after the data are written: which data holder and model a
run of that kind trains (the training loop itself is shared, :func:`peql.fit.run.train`), how a
trained run is read out into ``equations.json``, how a document is scored against the dataset,
and what the report shows for the dataset. The stage drivers (:mod:`peql.pipeline`) resolve the
task of a dataset once (:func:`peql.tasks.resolve_task`) and call it; no other code asks what kind
a dataset is.

A plugin adds a kind of experiment by subclassing :class:`Task` and registering an instance::

    import peql

    class MyTask(peql.Task):
        name, kinds, description = "my_task", ("my_kind",), "what it does"
        def training_data(self, ds, settings): ...
        ...

    @peql.hookimpl
    def register_tasks(register):
        register(MyTask())

``peql.testing.check_task`` checks one end to end on a small dataset.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence


class Task:
    """One kind of experiment. Subclasses set the three attributes and implement the methods.

    Attributes:
        name: lower-case identifier (``tabular``, ``latent``, ``dynamics``).
        kinds: the dataset kinds this task claims; no two tasks claim one kind.
        description: one line for ``peql list``.
    """

    name: str = ""
    kinds: tuple[str, ...] = ()
    description: str = ""

    def training_data(self, ds, settings) -> tuple[Any, str, Callable]:
        """What a run on the ``train`` split of ``ds`` trains on.

        Args:
            ds: the dataset (xarray, read with :func:`peql.data.read_dataset`).
            settings: the resolved :class:`peql.fit.FitSettings`.

        Returns:
            ``(data, fingerprint, build)``: a data holder on ``settings.device`` (with ``batch``,
            ``set_step``, ``graph_safe``, ``n_groups``, ``counts``, ``offsets``, ``t``, ``x``,
            ``input_names``, ``param_name``, ``scaling``, ``equal_groups``, ``device``, ``dtype``,
            as :class:`peql.fit.data.GroupedData`), a hash of the arrays (a checkpoint resumes
            only on the same data) and the model builder (:mod:`peql.fit.models`).
        """
        raise NotImplementedError

    def read_out(self, result, ds, threshold: float, steps: Sequence[str], provenance: dict) -> dict[str, Any]:
        """The ``equations.json`` document of a trained run (DESIGN section 6).

        Args:
            result: the :class:`peql.fit.FitResult` of the run.
            ds: the dataset the run was trained on (its ``val`` split selects the trial).
            threshold: coefficients below this are dropped from the expressions.
            steps: the read-out chain (:mod:`peql.symbolic.chain`) the selected trial goes through.
            provenance: recorded under ``provenance``.
        """
        raise NotImplementedError

    def score(self, doc: dict, ds, result=None) -> dict[str, Any]:
        """Scores of an equations document (a network's or a baseline's) on ``ds``; with the
        fitted ``result``, the network's own predictions and every trial too."""
        raise NotImplementedError

    def report(self, name: str, ds, docs: dict[str, dict], scores: dict[str, dict], figures: Path):
        """The dataset's :class:`peql.report.page.Section`: figures written into ``figures``
        (file names starting with ``name``), and the rows of its equation table. ``docs`` and
        ``scores`` map each method to its documents."""
        raise NotImplementedError

    def describe(self, doc: dict) -> list[str]:
        """A few lines summing up a document, printed by ``peql extract``."""
        lines = [f"trial {doc.get('selected_trial')}: {doc.get('skeleton')}"]
        eqs = doc.get("equations") or []
        for eq in eqs[:: max(1, len(eqs) // 4)][:4]:
            lines.append(f"  {doc.get('parameter')} = {eq['param']:.4g}: {eq['expression']}")
        return lines

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, kinds={self.kinds!r})"


def check_task_component(task) -> None:
    """The registry's check of a task: a :class:`Task` with a description and at least one kind,
    each a lower-case name."""
    import re

    if not isinstance(task, Task):
        raise TypeError(f"expected a peql.Task, got {type(task).__name__}")
    if not task.description or "\n" in task.description:
        raise ValueError("description must be one non-empty line")
    if not task.kinds or not all(isinstance(k, str) and re.fullmatch(r"[a-z][a-z0-9_]*", k) for k in task.kinds):
        raise ValueError(f"kinds must be lower-case dataset kinds, got {task.kinds!r}")
