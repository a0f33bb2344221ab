"""Archive extraction with our own checks: nothing lands outside the destination, no bombs."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from mls_async._safe_tar import UnsafeArchive, extract_archive


def _archive(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]], mode: str = "w") -> Path:
    with tarfile.open(path, mode) as archive:
        for info, data in members:
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def _file(name: str, data: bytes = b"x") -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def _special(name: str, kind: bytes, linkname: str = "") -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info, None


def test_ordinary_archives_extract(tmp_path):
    archive = _archive(tmp_path / "ok.tar", [_file("model.joblib", b"abc"), _file("./autogluon/a/b.bin", b"de")])
    written = extract_archive(archive, tmp_path / "out")
    assert sorted(written) == ["autogluon/a/b.bin", "model.joblib"]
    assert (tmp_path / "out" / "autogluon" / "a" / "b.bin").read_bytes() == b"de"


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ([_file("../evil.txt")], "climbs out"),
        ([_file("a/../../evil.txt")], "climbs out"),
        ([_file("/tmp/evil.txt")], "absolute path"),
        ([_special("link", tarfile.SYMTYPE, "/etc")], "is a link"),
        ([_special("hard", tarfile.LNKTYPE, "/etc/passwd")], "is a link"),
        ([_special("dev", tarfile.CHRTYPE)], "special file"),
        ([_special("fifo", tarfile.FIFOTYPE)], "special file"),
        ([_file("a" * 300)], "over-long part"),
        ([_file("/".join(["d"] * 40) + "/f")], "nested too deep"),
        ([_file("twice"), _file("twice")], "names one file twice"),
    ],
)
def test_unsafe_members_are_refused(tmp_path, members, message):
    archive = _archive(tmp_path / "bad.tar", members)
    with pytest.raises(UnsafeArchive, match=message):
        extract_archive(archive, tmp_path / "out")
    outside = {p.name for p in tmp_path.iterdir()}
    assert outside <= {"bad.tar", "out"}  # nothing written beside the destination


def test_the_realpath_overflow_of_cve_2025_4517_gets_nowhere(tmp_path):
    """The published trick: long nested directories and symlinks to overflow realpath, then a link out."""
    step = "d" * 247
    members: list[tuple[tarfile.TarInfo, bytes | None]] = []
    path = ""
    for letter in "abcdefghijklmnop":
        members.append(_special(os.path.join(path, step), tarfile.DIRTYPE))
        members.append(_special(os.path.join(path, letter), tarfile.SYMTYPE, step))
        path = os.path.join(path, step)
    members.append(_special("escape", tarfile.SYMTYPE, "/".join([".."] * 16) + "/tmp"))
    members.append(_file("escape/pwned.txt", b"owned"))
    archive = _archive(tmp_path / "cve.tar", members)
    with pytest.raises(UnsafeArchive):
        extract_archive(archive, tmp_path / "out")
    assert not (Path("/tmp") / "pwned.txt").exists()
    assert not any(p.is_symlink() for p in (tmp_path / "out").rglob("*"))


def test_a_small_archive_cannot_unpack_into_gigabytes(tmp_path):
    zeros = b"\0" * (4 << 20)
    archive = _archive(tmp_path / "bomb.tar.gz", [_file("model.joblib", zeros)], mode="w:gz")
    assert archive.stat().st_size < 64 << 10  # a few KiB compressed
    with pytest.raises(UnsafeArchive, match="unpacks to more than 1048576 bytes"):
        extract_archive(archive, tmp_path / "out", max_bytes=1 << 20)


def test_file_count_is_capped_and_garbage_is_damaged(tmp_path):
    archive = _archive(tmp_path / "many.tar", [_file(f"f{i}") for i in range(5)])
    with pytest.raises(UnsafeArchive, match="more than 3 files"):
        extract_archive(archive, tmp_path / "out", max_files=3)
    (tmp_path / "junk.tar").write_bytes(b"not a tar at all" * 100)
    with pytest.raises(UnsafeArchive, match="damaged"):
        extract_archive(tmp_path / "junk.tar", tmp_path / "out2")
