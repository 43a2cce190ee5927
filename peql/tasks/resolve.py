"""Which task a dataset belongs to: the one place that reads a dataset's kind."""

from __future__ import annotations


def resolve_task(registry, ds):
    """The registered task that claims ``ds``'s kind (``attrs["kind"]``).

    Raises:
        ValueError: no task claims the kind (the message lists what is registered).
    """
    kind = ds.attrs.get("kind")
    for entry in registry.entries("tasks"):
        if kind in entry.component.kinds:
            return entry.component
    claimed = ", ".join(f"{e.name} ({', '.join(e.component.kinds)})" for e in registry.entries("tasks"))
    raise ValueError(f"no registered task reads datasets of kind {kind!r} (system {ds.attrs.get('system')!r}); "
                     f"tasks: {claimed or 'none'}")


def task_of_document(registry, doc: dict, ds):
    """The task an equations document records (``task``), else the dataset's (a baseline's
    document, or one written before documents recorded their task)."""
    name = doc.get("task")
    return registry.get("tasks", name) if name else resolve_task(registry, ds)
