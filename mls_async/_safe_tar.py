"""Extract a model version archive with our own checks, never trusting tarfile's filters.

Python 3.11.7's ``filter="data"`` can be bypassed (CVE-2025-4517: a realpath overflow
with long nested names), so extraction here does not use ``extract``/``extractall`` at
all. Every member must be a regular file or a directory whose name is relative, has no
``..``, no empty or over-long parts and stays under the destination lexically; links,
devices and FIFOs are refused. Since no link is ever created, no path can be redirected.
File contents are copied by us, counting the bytes actually written, so a small
compressed archive cannot unpack into gigabytes, and the number of files is capped.
"""

from __future__ import annotations

import os
import posixpath
import tarfile
from pathlib import Path

__all__ = ["UnsafeArchive", "extract_archive", "MAX_UNPACKED_BYTES", "MAX_FILES"]

MAX_UNPACKED_BYTES = 8 << 30
MAX_FILES = 10_000
MAX_NAME = 1024  # bytes of a member's whole name
MAX_PART = 255  # bytes of one path component
MAX_DEPTH = 32
_CHUNK = 1 << 20


class UnsafeArchive(ValueError):
    """The archive is damaged, or holds something we refuse to write."""


def _parts(name: str) -> list[str]:
    """The checked path components of a member name (``./a/b`` -> ``["a", "b"]``)."""
    if "\x00" in name or "\\" in name:
        raise UnsafeArchive(f"member {name[:80]!r} has a NUL or backslash in its name")
    if len(name.encode("utf-8", "surrogateescape")) > MAX_NAME:
        raise UnsafeArchive(f"member {name[:80]!r}... has a name over {MAX_NAME} bytes")
    if name.startswith("/") or posixpath.isabs(name):
        raise UnsafeArchive(f"member {name[:80]!r} has an absolute path")
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if not parts:
        raise UnsafeArchive(f"member {name[:80]!r} names no file")
    if ".." in parts:
        raise UnsafeArchive(f"member {name[:80]!r} climbs out with '..'")
    if len(parts) > MAX_DEPTH or any(len(p.encode("utf-8", "surrogateescape")) > MAX_PART for p in parts):
        raise UnsafeArchive(f"member {name[:80]!r} is nested too deep or has an over-long part")
    return parts


def extract_archive(
    archive_path: Path, destination: Path, *, max_bytes: int = MAX_UNPACKED_BYTES, max_files: int = MAX_FILES
) -> list[str]:
    """Extract into ``destination`` (created, must be empty); return the files written.

    Raises ``UnsafeArchive`` naming the first member refused; what was written so far
    stays under ``destination`` for the caller to remove.
    """
    destination.mkdir(parents=True, exist_ok=True)
    if any(destination.iterdir()):
        raise UnsafeArchive("the destination is not empty")
    root = os.path.abspath(destination)
    written: list[str] = []
    total = 0
    try:
        with tarfile.open(archive_path, mode="r:*") as archive:
            for member in archive:
                parts = _parts(member.name)
                target = os.path.join(root, *parts)
                if os.path.commonpath([root, target]) != root:  # belt and braces: lexical containment
                    raise UnsafeArchive(f"member {member.name[:80]!r} escapes the destination")
                if member.isdir():
                    os.makedirs(target, mode=0o755, exist_ok=True)
                    continue
                if not member.isfile():
                    kind = "link" if member.issym() or member.islnk() else "special file"
                    raise UnsafeArchive(f"member {member.name[:80]!r} is a {kind}; only files and directories")
                if len(written) >= max_files:
                    raise UnsafeArchive(f"the archive holds more than {max_files} files")
                os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
                source = archive.extractfile(member)
                if source is None:
                    raise UnsafeArchive(f"member {member.name[:80]!r} has no content")
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                with source, os.fdopen(os.open(target, flags, 0o644), "wb") as sink:
                    while chunk := source.read(_CHUNK):
                        total += len(chunk)
                        if total > max_bytes:
                            raise UnsafeArchive(f"the archive unpacks to more than {max_bytes} bytes")
                        sink.write(chunk)
                written.append("/".join(parts))
    except FileExistsError as exc:
        raise UnsafeArchive(f"the archive names one file twice: {os.path.basename(exc.filename or '')!r}") from exc
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise UnsafeArchive(f"the archive is damaged: {type(exc).__name__}") from exc
    return written
