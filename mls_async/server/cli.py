"""``mls-async server``: start the local MLS server on loopback."""

from __future__ import annotations

import argparse
import os
import shlex
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


GENERATED_PASSWORD_FILE = "generated-password"


def _users_file(path: Path) -> dict[str, str]:
    accounts = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, password = line.partition(":")
        if not sep or not name or not password:
            raise ValueError(f"line {number} is not NAME:PASSWORD")
        accounts[name] = password
    return accounts


def _generated_password(data_dir: Path, make: Callable[[], str]) -> tuple[str, bool]:
    """The password of the generated account: created once per data dir, then reused on restart."""
    from mls_async.server.scratch import write_once

    data_dir.mkdir(parents=True, exist_ok=True)
    password = make()
    kept = write_once(data_dir / GENERATED_PASSWORD_FILE, password)  # never empty, even after a crash
    return kept, kept == password


def _port_free(host: str, port: int) -> bool:
    """Whether the server could bind ``host:port``: the same bind uvicorn makes, ``SO_REUSEADDR`` included.

    Without it, the connections of a server that just stopped (or was killed) hold the port
    in TIME_WAIT for a minute, and the check would refuse a restart uvicorn itself accepts;
    a port some process listens on is refused either way.
    """
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        if os.name != "nt":  # on Windows the option lets a second bind steal a port in use
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mls-async server",
        description="Run the local MLS server.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (loopback only by default)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=default_data_dir(),
        help="where metadata, artifacts and the generated password persist ($MLS_DATA_DIR)",
    )
    parser.add_argument(
        "--user",
        type=_pair("--user", "NAME:PASSWORD"),
        action="append",
        default=[],
        metavar="NAME:PASSWORD",
        help="an account (repeatable; shows in the process list: prefer --users-file); "
        "else $MLS_USERNAME/$MLS_PASSWORD, else an account 'mls' with a generated password "
        "kept in the data dir",
    )
    parser.add_argument(
        "--users-file",
        type=Path,
        default=None,
        metavar="PATH",
        help="accounts as NAME:PASSWORD lines (# comments allowed)",
    )
    parser.add_argument(
        "--admin",
        type=_pair("--admin", "NAME:PASSWORD"),
        action="append",
        default=[],
        metavar="NAME:PASSWORD",
        help="an admin account (repeatable): only admins change server settings and AutoML "
        "handlers; the $MLS_USERNAME and generated accounts are admins",
    )
    parser.add_argument(
        "--apikey",
        type=_pair("--apikey", "CLIENT_ID:APIKEY"),
        action="append",
        default=[],
        metavar="CLIENT_ID:APIKEY",
        help="a profile API client and its apikey (repeatable), as the original SDK sends them",
    )
    parser.add_argument(
        "--no-profile-batch",
        action="store_true",
        help="serve the profile API as the platform does, without the batch route",
    )
    parser.add_argument("--feature-latency-ms", type=float, default=0.0, help="latency injected into feature reads")
    parser.add_argument(
        "--feature-tail",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="share of feature reads that take --feature-tail-ms instead (a heavy tail, 0-1)",
    )
    parser.add_argument("--feature-tail-ms", type=float, default=1000.0, help="latency of the tail's reads")
    parser.add_argument("--feature-seed", type=int, default=None, help="seed of the tail's draws (repeatable runs)")
    parser.add_argument("--automl-time-limit", type=int, default=60, help="seconds per AutoML training")
    parser.add_argument(
        "--log-level",
        default="info",
        choices=["critical", "error", "warning", "info", "debug"],
        help="server log verbosity",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes sharing the data dir (writes go through one SQLite in WAL mode)",
    )
    return parser


def _exports(base_url: str, generated_account: dict[str, str] | None) -> str:
    """The shell line that points the SDK at this server (with the generated account, if it is the one)."""
    variables = {"MLS_ENV": "LOCAL", "MLS_BASE_URL": base_url}
    if generated_account is not None:
        ((username, password),) = generated_account.items()
        variables |= {"MLS_USERNAME": username, "MLS_PASSWORD": password}
    return "to use it from the SDK:\n  export " + " ".join(f"{k}={shlex.quote(v)}" for k, v in variables.items())


def main(argv: list[str] | None = None) -> int:
    from mls_async.server.app import create_app
    from mls_async.server.config import ServerConfig, random_password

    parser = build_parser()
    args = parser.parse_args(argv)
    data_dir = args.data_dir
    accounts = dict(args.user)
    admins = {name for name, _ in args.admin}
    accounts.update(dict(args.admin))
    if args.users_file is not None:
        try:
            accounts.update(_users_file(args.users_file))
        except (OSError, ValueError) as exc:
            parser.error(f"--users-file {args.users_file}: {exc}")
    if not accounts and os.environ.get("MLS_USERNAME") and os.environ.get("MLS_PASSWORD"):
        accounts[os.environ["MLS_USERNAME"]] = os.environ["MLS_PASSWORD"]
        admins.add(os.environ["MLS_USERNAME"])
    generated = not accounts
    if generated:
        password, created = _generated_password(data_dir, random_password)
        accounts["mls"] = password
        admins.add("mls")
        where = data_dir / GENERATED_PASSWORD_FILE
        print(
            f"{'created' if created else 'using'} account mls with password {password} (kept in {where}; "
            "pass --user or --users-file to choose accounts)",
            flush=True,
        )
    if not _port_free(args.host, args.port):
        print(
            f"error: {args.host}:{args.port} is in use (another mls-async server?); pass --port to pick another",
            file=sys.stderr,
        )
        return 1
    if not 0 <= args.feature_tail <= 1:
        parser.error("--feature-tail is a share of reads between 0 and 1")
    config = ServerConfig(
        data_dir,
        accounts,
        feature_latency=args.feature_latency_ms / 1000,
        feature_tail=args.feature_tail,
        feature_tail_latency=args.feature_tail_ms / 1000,
        feature_seed=args.feature_seed,
        automl_time_limit=args.automl_time_limit,
        apikeys=dict(args.apikey),
        admins=admins,
        profile_batch=not args.no_profile_batch,
    )
    import uvicorn

    if args.workers < 1:
        parser.error("--workers must be at least 1")
    base_url = f"http://{f'[{args.host}]' if ':' in args.host else args.host}:{args.port}"
    print(
        f"MLS local server on {base_url} (data in {data_dir}, {args.workers} worker{'s' if args.workers > 1 else ''})",
        flush=True,
    )
    print(_exports(base_url, accounts if generated else None), flush=True)
    if args.workers == 1:
        uvicorn.run(create_app(config), host=args.host, port=args.port, log_level=args.log_level)
        return 0
    from mls_async.server.app import CONFIG_ENVIRONMENT

    os.environ[CONFIG_ENVIRONMENT] = config.to_json()  # inherited by the worker processes only
    uvicorn.run(
        "mls_async.server.app:create_app_from_environment",
        factory=True,
        workers=args.workers,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
