#!/usr/bin/env python3
"""Generate the sync twins of the hand-written async sources.

    python scripts/unasync.py           # write mls_async/_sync/ and tests/_sync/
    python scripts/unasync.py --check   # fail (and print a diff) if anything is stale

The async code under ``_async/`` is the single source of truth. Each rule is a
word-bounded regex applied line by line, in order. ``--check`` compares whole files,
flags generated files that have no async source, and fails on a rule that no file
used (a dead rule hides a renamed API).
"""

from __future__ import annotations

import difflib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAIRS = [
    (ROOT / "mls_async" / "_async", ROOT / "mls_async" / "_sync"),
    (ROOT / "tests" / "_async", ROOT / "tests" / "_sync"),
]
HEADER = "# Generated from {source} by scripts/unasync.py. Do not edit: edit the source and regenerate.\n"

RULES: list[tuple[str, str]] = [
    (r"\bmls_async\._async\b", "mls_async._sync"),
    (r"^import anyio$", "import time"),
    (r"\banyio\.sleep\b", "time.sleep"),
    (r"\bto_thread\b", "run_inline"),
    (r"\basync_transport\b", "sync_transport"),
    (r"\bhttpx\.AsyncBaseTransport\b", "httpx.BaseTransport"),
    (r"\bhttpx\.AsyncByteStream\b", "httpx.SyncByteStream"),
    (r"\bhandle_async_request\b", "handle_request"),
    (r"\b__aiter__\b", "__iter__"),
    (r"\bAsyncIterator\b", "Iterator"),
    (r"\bAsync([A-Z]\w*)", r"\1"),
    (r"\basync def\b", "def"),
    (r"\basync with\b", "with"),
    (r"\basync for\b", "for"),
    (r"\bawait ", ""),
    (r"\b__aenter__\b", "__enter__"),
    (r"\b__aexit__\b", "__exit__"),
    (r"\baclose\b", "close"),
    (r"\baread\b", "read"),
    (r"\baiter_bytes\b", "iter_bytes"),
    (r"\bpredict_async\b", "predict"),
    (r"^import pytest_asyncio\n", ""),
    (r"@pytest_asyncio\.fixture\b", "@pytest.fixture"),
]
COMPILED = [(re.compile(pattern), replacement) for pattern, replacement in RULES]


def unasync_text(text: str, used: set[int]) -> str:
    out = []
    for line in text.splitlines(keepends=True):
        for index, (pattern, replacement) in enumerate(COMPILED):
            line, count = pattern.subn(replacement, line)
            if count:
                used.add(index)
        out.append(line)
    return "".join(out)


def expected_files(used: set[int]) -> dict[Path, str]:
    files: dict[Path, str] = {}
    for source_dir, target_dir in PAIRS:
        for source in sorted(source_dir.rglob("*.py")):
            target = target_dir / source.relative_to(source_dir)
            header = HEADER.format(source=source.relative_to(ROOT).as_posix())
            files[target] = header + unasync_text(source.read_text(), used)
    return files


def main(argv: list[str]) -> int:
    check = "--check" in argv
    used: set[int] = set()
    expected = expected_files(used)
    problems: list[str] = []
    for target, text in expected.items():
        current = target.read_text() if target.exists() else None
        if current == text:
            continue
        if check:
            diff = difflib.unified_diff(
                (current or "").splitlines(keepends=True),
                text.splitlines(keepends=True),
                fromfile=f"{target.relative_to(ROOT)} (on disk)",
                tofile=f"{target.relative_to(ROOT)} (generated)",
            )
            problems.append(f"{target.relative_to(ROOT)} is stale or edited by hand:\n" + "".join(diff))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
            print(f"wrote {target.relative_to(ROOT)}")
    for _, target_dir in PAIRS:
        for generated in sorted(target_dir.rglob("*.py")):
            if generated not in expected:
                if check:
                    problems.append(f"{generated.relative_to(ROOT)} has no async source; delete it")
                else:
                    generated.unlink()
                    print(f"removed {generated.relative_to(ROOT)}")
    unused = [RULES[i][0] for i in range(len(RULES)) if i not in used]
    if unused:
        problems.append("rules never used (remove them or fix the pattern): " + ", ".join(unused))
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    if check:
        print(f"unasync: {len(expected)} generated files are current")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
