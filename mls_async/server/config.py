"""The server's configuration: where it keeps its data, who may use it, its limits and extensions."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

__all__ = ["ServerConfig", "random_password"]


class ServerConfig:
    """Where the server keeps its data and who may use it."""

    def __init__(
        self,
        data_dir: Path | str,
        accounts: dict[str, str],
        *,
        feature_latency: float = 0.0,
        feature_tail: float = 0.0,
        feature_tail_latency: float = 1.0,
        feature_seed: int | None = None,
        automl_time_limit: int = 60,
        max_upload_bytes: int = 2 << 30,
        max_unpacked_bytes: int = 8 << 30,
        max_json_bytes: int = 32 << 20,
        token_ttl: float = 3600.0,
        apikeys: dict[str, str] | None = None,
        admins: set[str] | None = None,
        login_attempts: int = 5,
        profile_batch: bool = True,
        meta_merge: bool = True,
    ) -> None:
        if not accounts:
            raise ValueError("the server needs at least one account")
        self.apikeys = dict(apikeys or {})  # profile API client id -> apikey
        # Accounts that may change server settings and AutoML handlers (code the server runs);
        # None: every account (a one-person laptop server).
        self.admins = None if admins is None else set(admins)
        unknown = sorted((self.admins or set()) - set(accounts))
        if unknown:
            raise ValueError(f"admins {unknown} are not accounts")
        self.login_attempts = login_attempts  # failed logins per client address and account before a pause
        self.profile_batch = profile_batch  # serve (and announce) the profile batch route
        self.meta_merge = meta_merge  # serve (and announce) the server-side partial meta update
        self.data_dir = Path(data_dir)
        self.accounts = dict(accounts)
        if not 0 <= feature_tail <= 1:
            raise ValueError(f"feature_tail={feature_tail!r} must be a share of reads between 0 and 1")
        self.feature_latency = feature_latency
        # A heavy tail, for benchmarks of tail latency: this share of reads takes feature_tail_latency.
        self.feature_tail = feature_tail
        self.feature_tail_latency = feature_tail_latency
        self.feature_seed = feature_seed
        self.automl_time_limit = automl_time_limit
        self.max_upload_bytes = max_upload_bytes
        self.max_unpacked_bytes = max_unpacked_bytes  # a registry archive's size once unpacked
        self.max_json_bytes = max_json_bytes
        self.token_ttl = token_ttl

    def to_json(self) -> str:
        """This configuration as JSON, for the worker processes of ``--workers`` (passwords included)."""
        fields = {name: value for name, value in vars(self).items() if name not in ("data_dir", "accounts")}
        fields["admins"] = None if self.admins is None else sorted(self.admins)
        return json.dumps({"data_dir": str(self.data_dir), "accounts": self.accounts, "options": fields})

    @classmethod
    def from_json(cls, text: str) -> ServerConfig:
        raw = json.loads(text)
        options = dict(raw["options"])
        if options.get("admins") is not None:
            options["admins"] = set(options["admins"])
        return cls(raw["data_dir"], raw["accounts"], **options)


def random_password() -> str:
    """A password for the generated account of a server started without one."""
    return secrets.token_urlsafe(18)
