"""Kinds of experiment (:class:`~peql.tasks.base.Task`): each owns what a run of its dataset kinds
trains on, how it is read out into ``equations.json``, scored and shown in the report. Built in:
``tabular`` (rows of inputs, target and parameter), ``latent`` (images through an encoder) and
``dynamics`` (trajectories through a recurrent cell)."""

from .base import Task
from .dynamics import DYNAMICS, DynamicsTask
from .latent import LATENT, LatentTask
from .resolve import resolve_task, task_of_document
from .tabular import TABULAR, TabularTask

#: Registered by :mod:`peql.builtin`.
BUILTIN_TASKS = (TABULAR, LATENT, DYNAMICS)

__all__ = ["BUILTIN_TASKS", "DynamicsTask", "LatentTask", "TabularTask", "Task", "resolve_task", "task_of_document"]
