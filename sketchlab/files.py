"""Writing files and folders safely: write beside, then rename into place.

A kill, a Colab disconnect or a power cut in the middle of a write must never
leave a half-written file under the name a reader opens. Every writer in
sketchlab therefore writes to a temporary name beside the destination,
``.NAME.partial-PID`` (PID: the writing process; the extensions are kept, so
``checkpoint.weights.h5`` is written as ``.checkpoint.partial-PID.weights.h5``
because Keras and PIL choose the format by extension), and renames it onto
the destination only when it is complete and flushed to disk:

- :func:`atomic_write`: one file;
- :func:`staging_folder` and :func:`publish_folder`: a whole folder (a
  dataset, a report).

A writer that is killed leaves its temporary behind. :func:`remove_stale`
removes those of writers that are gone, and leaves a live process's alone:
two notebooks making the same folder at once each finish their own.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import SketchlabError


class FolderExistsError(SketchlabError, FileExistsError):
    """The folder to publish is there already; the message names it."""


def _split_name(name: str) -> tuple[str, str]:
    """``name`` as (base, extensions): ``checkpoint.weights.h5`` -> (``checkpoint``, ``.weights.h5``)."""
    extensions = "".join(Path(name).suffixes)
    return name[: len(name) - len(extensions)], extensions


def partial_path(dest: str | os.PathLike, pid: int | None = None) -> Path:
    """The temporary name beside ``dest`` of the process ``pid`` (default: this one)."""
    dest = Path(dest)
    base, extensions = _split_name(dest.name)
    return dest.with_name(f".{base}.partial-{os.getpid() if pid is None else pid}{extensions}")


def _partial_pattern(name: str) -> re.Pattern:
    """Matches the temporaries of ``name``, capturing the writer's pid; a
    writer may tag a second one (``.report.partial-PID-old``)."""
    base, extensions = _split_name(name)
    return re.compile(rf"\.{re.escape(base)}\.partial-(\d+)(?:-\w+)?{re.escape(extensions)}")


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` is running (on this machine)."""
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill would end the process there: count every process as alive
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, and someone else's
        return True
    return True


def remove_stale(dest: str | os.PathLike) -> list[Path]:
    """Remove the temporaries of ``dest`` (files or folders) whose writer is
    gone; a live process's are work in progress and stay.

    This process's own count as stale: its writers remove their temporaries
    when they finish or fail, so one named with its pid was left by an earlier
    process that had the same pid (a restarted Colab runtime reuses them).

    Returns:
        The paths removed.
    """
    dest = Path(dest)
    if not dest.parent.is_dir():
        return []
    pattern, removed = _partial_pattern(dest.name), []
    for path in sorted(dest.parent.iterdir()):
        match = pattern.fullmatch(path.name)
        if match is None:
            continue
        pid = int(match.group(1))
        if pid != os.getpid() and pid_alive(pid):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def shown(path: str | os.PathLike) -> str:
    """``path`` as a message shows it: relative to the working folder when it
    is nearby (``runs/unet/...``, ``../runs/...`` from a notebook), else whole,
    so no message depends on where the repository lives."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive, on Windows
        return str(path)
    return str(path) if rel.startswith(os.path.join(os.pardir, os.pardir)) else rel


def _sync_file(path: Path) -> None:
    """Flush ``path``'s data to the disk."""
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


def _sync_folder(folder: Path) -> None:
    """Flush ``folder``'s entries (a rename in it) to the disk."""
    if os.name == "nt":  # a folder cannot be opened to flush it there
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as err:  # some network and FUSE filesystems cannot flush a folder; the rename stands
        if err.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
    finally:
        os.close(fd)


@contextmanager
def atomic_write(dest: str | os.PathLike, previous: str | os.PathLike | None = None) -> Iterator[Path]:
    """Give a temporary path beside ``dest`` to write one file to; when the
    block ends, the file is flushed to disk and renamed onto ``dest``. If the
    block fails, the temporary is removed and ``dest`` is untouched.

    Stale temporaries of ``dest`` (see :func:`remove_stale`) are removed first,
    and ``dest``'s folder is created if missing.

    Args:
        dest: the file to write.
        previous: if given, ``dest`` as it was is renamed to this name just
            before the new file takes its place (the last good copy stays).

    Example::

        with atomic_write("runs/unet/history.csv") as tmp:
            tmp.write_text(text)
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(dest)
    tmp = partial_path(dest)
    try:
        yield tmp
        _sync_file(tmp)
        if previous is not None and dest.exists():
            os.replace(dest, previous)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    _sync_folder(dest.parent)


def staging_folder(dest: str | os.PathLike) -> Path:
    """A new empty folder beside ``dest``, named for this process, to fill
    and then move onto ``dest`` with :func:`publish_folder`. Stale staging
    folders of ``dest`` are removed first; another live process's stay."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(dest)
    tmp = partial_path(dest)
    tmp.mkdir()
    return tmp


def publish_folder(tmp: str | os.PathLike, dest: str | os.PathLike) -> None:
    """Flush a complete staging folder's files to disk and rename it onto
    ``dest``, which must not exist.

    Raises:
        FolderExistsError: ``dest`` exists (also when another process
            published it while this one was filling ``tmp``).
    """
    tmp, dest = Path(tmp), Path(dest)
    refusal = f"{dest}: already exists. Remove it first, or choose another --out."
    if dest.exists():
        raise FolderExistsError(refusal)
    for folder, _, files in os.walk(tmp):
        for name in files:
            _sync_file(Path(folder, name))
        _sync_folder(Path(folder))
    try:
        os.replace(tmp, dest)
    except OSError as err:
        if dest.exists():  # published by another process a moment ago
            raise FolderExistsError(refusal) from err
        raise
    _sync_folder(dest.parent)
