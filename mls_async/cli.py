"""``mls-async``: ``server`` starts the local MLS server, ``demo`` runs the end-to-end demo,
``migrate`` registers models the original SDK saved."""

from __future__ import annotations

import sys
from collections.abc import Callable

from mls_async._extras import MissingExtra, needs_extra

__all__ = ["main"]

USAGE = """usage: mls-async {server,demo,migrate,batch-predict} [options] | --version

  server   run the local MLS server (mls-async server --help)
  demo     start a local server and run the end-to-end demo (mls-async demo --help)
  migrate  register the models sktmls saved under a directory (mls-async migrate --help)
  batch-predict  score a registered model over a Parquet/CSV file (mls-async batch-predict --help)
"""


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("mls-async")
    except PackageNotFoundError:
        return "unknown (not installed)"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if args else 2
    if args[0] in ("-V", "--version"):
        print(f"mls-async {version()}")
        return 0
    command, rest = args[0], args[1:]
    run = COMMANDS.get(command)
    if run is None:
        print(f"unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
        return 2
    try:
        return run(rest)
    except MissingExtra as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _server(argv: list[str]) -> int:
    with needs_extra("server", "mls-async server"):
        from mls_async.server.cli import main as server_main

        return server_main(argv)


def _demo(argv: list[str]) -> int:
    # The demo trains a model of every library and serves them: it needs everything.
    with needs_extra("all", "mls-async demo"):
        from mls_async.demo import main as demo_main

        return demo_main(argv)


def _migrate(argv: list[str]) -> int:
    from mls_async.migrate import main as migrate_main

    return migrate_main(argv)


def _batch_predict(argv: list[str]) -> int:
    with needs_extra("batch", "mls-async batch-predict"):
        from mls_async.batch._cli import main as batch_main

        return batch_main(argv)


COMMANDS: dict[str, Callable[[list[str]], int]] = {
    "server": _server,
    "demo": _demo,
    "migrate": _migrate,
    "batch-predict": _batch_predict,
}
