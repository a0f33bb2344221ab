"""Scratch files and directories of work in progress, and their removal after a crash.

Whatever the server writes before it is complete (an upload, an unpacked archive, a
dataset, a batch export) is first a scratch entry: created under a known prefix and held
locked (``flock``) by the process writing it for as long as it writes. A lock dies with
its process, ``kill -9`` included, so at start every scratch entry nobody holds is a
leftover of a crash and is removed, while the live ones of other server processes
sharing the data dir (``--workers``) are left alone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock, one server process per data dir
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "aside_name",
    "held",
    "remove_unless_held",
    "scratch_dir",
    "scratch_file",
    "sweep",
    "sweep_asides",
    "write_once",
]


def _lock(fd: int, *, wait: bool) -> bool:
    """Lock ``fd`` exclusively; False when another process holds it and ``wait`` is false."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


@contextmanager
def held(path: Path) -> Iterator[None]:
    """Hold ``path`` (a file or a directory) as scratch in use while the block runs."""
    fd = os.open(path, os.O_RDONLY)
    try:
        _lock(fd, wait=True)
        yield
    finally:
        os.close(fd)


@contextmanager
def scratch_file(directory: Path, prefix: str, suffix: str = "") -> Iterator[tuple[BinaryIO, Path]]:
    """A new file in ``directory``, held as scratch: yields it open for writing, and its path.

    The lock is on a descriptor of its own, so closing the file after writing keeps the
    file held while it is read back; at the end it is closed, and removed unless moved away.
    """
    fd, name = tempfile.mkstemp(dir=directory, prefix=prefix, suffix=suffix)
    path = Path(name)
    file = os.fdopen(fd, "wb")
    try:
        with held(path):
            yield file, path
    finally:
        file.close()
        path.unlink(missing_ok=True)


@contextmanager
def scratch_dir(directory: Path, prefix: str) -> Iterator[Path]:
    """A new directory in ``directory``, held as scratch; removed at the end unless it was moved away."""
    path = Path(tempfile.mkdtemp(dir=directory, prefix=prefix))
    try:
        with held(path):
            yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def remove_unless_held(entry: Path) -> bool:
    """Remove ``entry`` (a file or a directory) unless a live process holds it; whether it was removed."""
    try:
        fd = os.open(entry, os.O_RDONLY)
    except OSError:
        return False  # gone already, or not ours to open
    try:
        if not _lock(fd, wait=False):
            return False
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        return True
    finally:
        os.close(fd)


def sweep(directory: Path, prefixes: tuple[str, ...]) -> list[Path]:
    """Remove the entries of ``directory`` named with one of ``prefixes`` that no process holds; return them."""
    try:
        entries = list(directory.iterdir())
    except FileNotFoundError:
        return []
    return [entry for entry in entries if entry.name.startswith(prefixes) and remove_unless_held(entry)]


def aside_name(path: Path) -> Path:
    """A name next to ``path`` to write its new content under before renaming it into place.

    It carries the writer's process id: :func:`sweep_asides` removes those of dead processes.
    """
    return path.with_name(f".{path.name}-{os.getpid()}-{threading.get_ident()}")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # a name with this process's id is a leftover of an earlier process that had it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # alive, but another user's
    return True


def sweep_asides(directory: Path, names: tuple[str, ...]) -> list[Path]:
    """Remove the :func:`aside_name` files of ``names`` in ``directory`` whose writer is gone; return them."""
    removed: list[Path] = []
    for name in names:
        for entry in directory.glob(f".{name}-*-*"):
            pid = entry.name[len(name) + 2 :].partition("-")[0]
            if pid.isdigit() and not _alive(int(pid)):
                entry.unlink(missing_ok=True)
                removed.append(entry)
    return removed


def write_once(path: Path, text: str) -> str:
    """``path``'s content, written as ``text`` first if the file is missing or empty; mode 0600.

    The file appears whole (written aside, then linked into place), so a crash never
    leaves it empty; when processes race to create it, all of them read the one that won.
    """
    while True:
        try:
            current = path.read_text().strip()
        except FileNotFoundError:
            current = None
        if current:
            return current
        aside = aside_name(path)
        handle = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(handle, "w") as file:
            file.write(text + "\n")
            file.flush()
            os.fsync(file.fileno())
        try:
            if current is None:
                os.link(aside, path)  # fails if another process created it meanwhile: read theirs
            else:
                os.replace(aside, path)  # an empty file: what an interrupted write of an older version left
        except FileExistsError:
            pass
        finally:
            aside.unlink(missing_ok=True)
