"""Authentication: HTTP Basic on every request (the protocol's baseline), or an opt-in token flow.

``TokenAuth`` logs in once with Basic credentials at ``POST /api/v1/auth/token``, sends
``Authorization: Bearer <token>`` afterwards, and on a 401 fetches a new token once and
repeats the request. It is an ``httpx.Auth`` generator flow, so the same code drives the
async and the sync clients.
"""

from __future__ import annotations

import threading
from collections.abc import Generator

import httpx
import orjson

from mls_async._exceptions import MLSUnauthorizedError
from mls_async._protocol import TOKEN_PATH

__all__ = ["TokenAuth", "TOKEN_PATH"]


class TokenAuth(httpx.Auth):
    requires_response_body = True

    def __init__(self, username: str, password: str) -> None:
        self._basic = httpx.BasicAuth(username, password)
        self._token: str | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return "TokenAuth(username=..., password=***)"

    def _login_request(self, request: httpx.Request) -> httpx.Request:
        login = httpx.Request("POST", request.url.copy_with(path=TOKEN_PATH, query=None))
        return next(self._basic.auth_flow(login))

    def _store(self, response: httpx.Response) -> str:
        if response.status_code >= 400:
            raise MLSUnauthorizedError(
                response.status_code,
                f"login refused with HTTP {response.status_code}: check username and password",
                status=response.status_code,
            )
        try:
            token = orjson.loads(response.content)["results"]["token"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            token = None
        if not isinstance(token, str):
            raise MLSUnauthorizedError(
                response.status_code,
                "the login answer carries no token; does this server offer tokens? use auth='basic'",
                status=response.status_code,
            )
        with self._lock:
            self._token = token
        return token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._token
        if token is None:
            token = self._store((yield self._login_request(request)))
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:  # expired or revoked: one fresh token, one more try
            token = self._store((yield self._login_request(request)))
            request.headers["Authorization"] = f"Bearer {token}"
            yield request
