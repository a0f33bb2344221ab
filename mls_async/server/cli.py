"""``mls-async server``: start the local MLS server on loopback."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

__all__ = ["main", "default_data_dir"]


def default_data_dir() -> Path:
    """``$MLS_DATA_DIR``, else the per-user data directory."""
    if os.environ.get("MLS_DATA_DIR"):
        return Path(os.environ["MLS_DATA_DIR"])
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "mls-async"


def _pair(flag: str, shape: str) -> Callable[[str], tuple[str, str]]:
    def parse(value: str) -> tuple[str, str]:
        name, sep, secret = value.partition(":")
        if not sep or not name or not secret:
            raise argparse.ArgumentTypeError(f"{flag} takes {shape}, got {value!r}")
        return name, secret

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mls-async server", description="Run the local MLS server.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--data-dir", type=Path, default=None, help="where metadata and artifacts persist")
    parser.add_argument("--user", type=_pair("--user", "NAME:PASSWORD"), action="append", default=[],
                        metavar="NAME:PASSWORD",
                        help="an account (repeatable); default $MLS_USERNAME/$MLS_PASSWORD or a random one")
    parser.add_argument("--apikey", type=_pair("--apikey", "CLIENT_ID:APIKEY"), action="append", default=[],
                        metavar="CLIENT_ID:APIKEY",
                        help="a profile API client and its apikey (repeatable), as the original SDK sends them")
    parser.add_argument("--no-profile-batch", action="store_true",
                        help="serve the profile API as the platform does, without the batch route")
    parser.add_argument("--feature-latency-ms", type=float, default=0.0, help="latency injected into feature reads")
    parser.add_argument("--automl-time-limit", type=int, default=60, help="seconds per AutoML training")
    parser.add_argument("--log-level", default="info")
    return parser


def main(argv: list[str] | None = None) -> int:
    from mls_async.server.app import ServerConfig, create_app
    from mls_async.server.state import random_password

    args = build_parser().parse_args(argv)
    accounts = dict(args.user)
    if not accounts and os.environ.get("MLS_USERNAME") and os.environ.get("MLS_PASSWORD"):
        accounts[os.environ["MLS_USERNAME"]] = os.environ["MLS_PASSWORD"]
    if not accounts:
        password = random_password()
        accounts["mls"] = password
        print(f"created account mls with password {password} (pass --user NAME:PASSWORD to choose)", flush=True)
    data_dir = args.data_dir or default_data_dir()
    config = ServerConfig(data_dir, accounts, feature_latency=args.feature_latency_ms / 1000,
                          automl_time_limit=args.automl_time_limit, apikeys=dict(args.apikey),
                          profile_batch=not args.no_profile_batch)
    import uvicorn

    print(f"MLS local server on http://{args.host}:{args.port} (data in {data_dir})", flush=True)
    uvicorn.run(create_app(config), host=args.host, port=args.port, log_level=args.log_level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
