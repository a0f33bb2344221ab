"""``mls-async migrate DIR``: register the versions the original SDK saved under ``DIR`` (``~/models``).

Each ``DIR/{name}/{version}/model.joblib`` is loaded as the matching mls_async class
(:func:`mls_async.compat.load_sktmls`) and saved to the MLS registry with
:class:`ModelRegistry`. Every version is reported; one failure does not stop the rest.
The original's files are left as they were.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["MigrationResult", "main", "migrate", "saved_versions"]


@dataclass(frozen=True)
class MigrationResult:
    name: str
    version: str
    model_class: str | None
    error: str | None

    def __str__(self) -> str:
        outcome = f"registered as {self.model_class}" if self.error is None else f"FAILED: {self.error}"
        return f"{self.name}/{self.version}: {outcome}"


def saved_versions(directory: Path) -> Iterator[Path]:
    """The version directories under ``directory`` that hold a model.joblib, in name order."""
    for binary in sorted(directory.glob("*/*/model.joblib")):
        yield binary.parent


def migrate(directory: str | Path, force: bool = False, **client_kwargs: Any) -> list[MigrationResult]:
    """Load and register every saved version under ``directory``; a result per version."""
    from mls_async._sync.registry import ModelRegistry
    from mls_async.compat import load_sktmls

    source = Path(directory)
    if not source.is_dir():
        raise FileNotFoundError(f"{source} is not a directory")
    results = []
    with (
        tempfile.TemporaryDirectory(prefix="mls-migrate-") as staging,
        ModelRegistry(model_dir=staging, **client_kwargs) as registry,
    ):
        for version_dir in saved_versions(source):
            name, version = version_dir.parent.name, version_dir.name
            try:
                model = load_sktmls(version_dir)
                registry.save(model, force=force)
            except Exception as exc:  # report it and go on with the next version
                results.append(MigrationResult(name, version, None, f"{type(exc).__name__}: {exc}"))
            else:
                results.append(MigrationResult(name, version, type(model).__name__, None))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="mls-async migrate",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("directory", type=Path, help="the original's model directory, e.g. ~/models")
    parser.add_argument("--force", action="store_true", help="replace versions the registry has already")
    parser.add_argument("--env", default=None, help="MLS environment ($MLS_ENV, else STG)")
    parser.add_argument("--base-url", default=None, help="the server's URL ($MLS_BASE_URL)")
    parser.add_argument("--username", default=None, help="account ($MLS_USERNAME)")
    parser.add_argument("--password", default=None, help="password ($MLS_PASSWORD)")
    args = parser.parse_args(argv)
    try:
        results = migrate(
            args.directory.expanduser(),
            force=args.force,
            env=args.env,
            base_url=args.base_url,
            username=args.username,
            password=args.password,
        )
    except Exception as exc:
        print(f"mls-async migrate: {exc}", file=sys.stderr)
        return 1
    for result in results:
        print(result)
    failed = sum(result.error is not None for result in results)
    print(f"{len(results) - failed} of {len(results)} versions registered")
    return 1 if failed else 0
