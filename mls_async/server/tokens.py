"""Bearer tokens signed with a key kept in the data dir, so that every worker process can check them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path

from mls_async.server.scratch import aside_name, write_once

__all__ = ["TOKEN_SECRET_FILE", "TokenSigner"]

TOKEN_SECRET_FILE = "token-secret"


class TokenSigner:
    """Bearer tokens that every server process (``--workers``) can check: ``user.expiry.signature``.

    The HMAC key is created once per data dir (mode 0600) and kept there, so tokens also
    outlive a restart until they expire.
    """

    def __init__(self, secret_file: Path) -> None:
        self._file = secret_file
        secret_file.parent.mkdir(parents=True, exist_ok=True)
        self._key = write_once(secret_file, secrets.token_hex(32)).encode()

    def rotate(self) -> None:
        """A new key: every token issued so far stops working (restart the other workers to follow)."""
        aside = aside_name(self._file)
        handle = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(handle, "w") as file:
            file.write(secrets.token_hex(32))
        os.replace(aside, self._file)
        self._key = self._file.read_text().strip().encode()

    def _signature(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode(), hashlib.sha256).hexdigest()

    def issue(self, user: str, ttl: float) -> str:
        payload = f"{base64.urlsafe_b64encode(user.encode()).decode()}.{int(time.time() + ttl)}"
        return f"{payload}.{self._signature(payload)}"

    def verify(self, token: str) -> str | None:
        """The token's user, or None when it is forged, malformed or expired."""
        payload, _, signature = token.rpartition(".")
        if not payload or not hmac.compare_digest(self._signature(payload), signature):
            return None
        encoded_user, _, expiry = payload.partition(".")
        if not expiry.isdigit() or int(expiry) < time.time():
            return None
        try:
            return base64.urlsafe_b64decode(encoded_user.encode()).decode()
        except ValueError:
            return None
