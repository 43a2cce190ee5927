"""A workflow job's log: everything the job prints, and the exception that ends it."""

from __future__ import annotations

import contextlib
import traceback
from pathlib import Path


@contextlib.contextmanager
def logged(path: str | None):
    """Send stdout and stderr (progress lines, warnings) to a job's log file; an exception that
    ends the job is written there too before it propagates."""
    if not path:
        yield
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as log, contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        try:
            yield
        except BaseException:
            # Snakemake points at this log when a job fails: the reason must be in it, not only
            # on the terminal of whoever started the run.
            traceback.print_exc(file=log)
            log.flush()
            raise
