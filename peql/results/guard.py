"""Where peql may write: one check for every verb's output, made before any work starts.

Every command that writes (``simulate``, ``derive``, ``fit``, ``extract``, ``baseline``,
``evaluate``, ``discover``, ``bench --json``) calls :func:`check_output` on the path the user
gave. It refuses, naming that path:

* an output that equals, contains or lies inside one of the command's inputs (``-o`` pointing
  at the folder that holds the input table would otherwise delete the table);
* an output that is, or contains, the current working directory;
* an existing path of the wrong kind (a folder where a file is written, and the reverse);
* an existing path that peql did not write (``owned`` says what peql's own outputs look like):
  peql replaces only its own outputs, never a user's file or folder;
* a location where nothing can be created (a read-only folder, a parent that is a file): this
  is probed by creating and removing a hidden folder beside the output, so it fails in the
  first second instead of after minutes of training.

Temporary siblings (``.NAME.tmp-PID-XXXX``) are where outputs are assembled before the final
rename; :func:`temporary_sibling` makes one and removes those that a killed peql process of
this machine left behind for the same output.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Callable, Iterable

FILE, FOLDER = "file", "folder"


class OutputError(ValueError):
    """An output location that peql refuses to write to; the message names the path."""


def _resolved(path: str | os.PathLike) -> Path:
    return Path(os.path.abspath(os.path.expanduser(os.fspath(path)))).resolve()


def _inside(child: Path, parent: Path) -> bool:
    return child != parent and parent in child.parents


def check_overlap(path: str | os.PathLike, inputs: Iterable[str | os.PathLike | None]) -> None:
    """Refuse an output that equals, contains or lies inside an input, or holds the working folder."""
    out = _resolved(path)
    for given in inputs:
        if given is None:
            continue
        inp = _resolved(given)
        if out == inp:
            raise OutputError(f"output {os.fspath(path)!r} is the input {os.fspath(given)!r}; choose another output")
        if _inside(inp, out):
            raise OutputError(f"output {os.fspath(path)!r} contains the input {os.fspath(given)!r}; writing there "
                              "could replace it: choose an output outside the input's folder")
        if _inside(out, inp):
            raise OutputError(f"output {os.fspath(path)!r} lies inside the input {os.fspath(given)!r}; "
                              "choose an output outside it")
    cwd = Path.cwd().resolve()
    if out == cwd or _inside(cwd, out):
        raise OutputError(f"output {os.fspath(path)!r} is (or contains) the current folder; name a new "
                          "folder for the results, e.g. -o results")


def _nearest_existing(path: Path) -> Path:
    for candidate in [path, *path.parents]:
        if candidate.exists():
            return candidate
    return Path("/")


def probe_writable(path: str | os.PathLike) -> None:
    """Refuse ``path`` when nothing can be created beside it (probed, not guessed: ``os.access``
    is always true for root)."""
    out = _resolved(path)
    base = _nearest_existing(out.parent)
    if not base.is_dir():
        raise OutputError(f"cannot write {os.fspath(path)!r}: {base} is a file, not a folder")
    try:
        probe = tempfile.mkdtemp(prefix=".peql-probe-", dir=base)
    except OSError as exc:
        raise OutputError(f"cannot write {os.fspath(path)!r}: {base} is not writable ({exc.strerror})") from None
    os.rmdir(probe)


def check_output(path: str | os.PathLike, kind: str, *, inputs: Iterable[str | os.PathLike | None] = (),
                 owned: Callable[[Path], bool] | None = None, what: str = "") -> Path:
    """Check an output location before any work; return it as a :class:`~pathlib.Path`.

    Args:
        path: the output as the user gave it (messages quote it).
        kind: :data:`FILE` or :data:`FOLDER` (a zarr store is a folder).
        inputs: the command's input paths (None entries are skipped).
        owned: ``owned(path) -> bool``, whether an existing ``path`` is an output of peql that may be
            replaced; None: an existing path is never replaced (a folder that only receives new
            files, such as a run folder, passes ``owned=lambda p: True``).
        what: what peql writes there, for the message (``"an equations file"``).

    Raises:
        OutputError: the location is refused (see the module docstring); the message names ``path``.
    """
    if kind not in (FILE, FOLDER):
        raise ValueError(f"kind must be {FILE!r} or {FOLDER!r}, got {kind!r}")
    check_overlap(path, inputs)
    p = Path(path)
    label = os.fspath(path)
    if p.exists() or p.is_symlink():
        if kind == FILE and p.is_dir():
            raise OutputError(f"output {label!r} is a folder; this command writes a file there"
                              + (f" ({what})" if what else ""))
        if kind == FOLDER and not p.is_dir():
            raise OutputError(f"output {label!r} is a file; this command writes a folder there"
                              + (f" ({what})" if what else ""))
        if owned is None or not owned(p):
            raise OutputError(f"output {label!r} exists and was not written by peql; peql replaces only its own "
                              "outputs: choose another path, or move it away yourself")
    probe_writable(p)
    return p


# -- temporary siblings ---------------------------------------------------------------------------

def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(path: str | os.PathLike) -> list[Path]:
    """Remove ``.NAME.tmp-PID-*`` siblings of ``path`` whose process is gone (a killed run);
    returns what was removed. Temporaries of running processes are left alone."""
    p = Path(path)
    removed = []
    if not p.parent.is_dir():
        return removed
    prefix = f".{p.name}.tmp-"
    for entry in p.parent.iterdir():
        if not entry.name.startswith(prefix):
            continue
        pid = entry.name[len(prefix):].split("-", 1)[0]
        if pid.isdigit() and not _pid_alive(int(pid)):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed.append(entry)
    return removed


def temporary_sibling(path: str | os.PathLike) -> Path:
    """A fresh name ``.NAME.tmp-PID-XXXXXXXX`` beside ``path`` (not created), after removing the
    stale temporaries a killed peql process left for the same output."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(p)
    return p.with_name(f".{p.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")


def replace_with(tmp: Path, path: Path) -> None:
    """Move a finished ``tmp`` (file or folder) to ``path``; an old ``path`` is removed only after
    the new one is in place (``rename`` cannot replace a non-empty folder)."""
    if path.is_dir() and not path.is_symlink():
        old = path.with_name(f".{path.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        path.rename(old)
        tmp.rename(path)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, path)
