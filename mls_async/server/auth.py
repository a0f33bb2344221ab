"""Who is asking: HTTP Basic accounts, bearer tokens, profile API keys, and admin accounts.

Each ``require_*`` is a route dependency; ``authenticate_for_route`` runs the one a
route declares, for answers given before the route runs (a body that failed to parse).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from starlette.requests import HTTPConnection

from mls_async._protocol import APIKEY_HEADER, RETRY_AFTER_HEADER
from mls_async.server.errors import Forbidden, TooManyAttempts, Unauthenticated
from mls_async.server.state import get_state

__all__ = [
    "authenticate_for_route",
    "authenticates",
    "authorize_profile_reader",
    "basic_credentials",
    "bearer_user",
    "require_admin",
    "require_profile_reader",
    "require_user",
]

_BASIC_CHALLENGE = {"WWW-Authenticate": 'Basic realm="mls"'}

_Check = TypeVar("_Check", bound=Callable[..., Any])
_ROUTE_CHECKS: set[Callable[..., Any]] = set()  # dependencies called as (request, credentials)


def authenticates(check: _Check) -> _Check:
    """Mark a route dependency ``(request, credentials)`` as its route's authentication."""
    _ROUTE_CHECKS.add(check)
    return check


class _BasicCredentials(HTTPBasic):
    """HTTP Basic credentials, or None when the request has none; a malformed header is a 401 envelope.

    FastAPI's own refusal is an ``HTTPException`` only its routes know how to answer; this
    one is the server's ``Unauthenticated``, answered alike on every path (the fast ones too).
    """

    async def __call__(self, request: HTTPConnection) -> HTTPBasicCredentials | None:  # type: ignore[override]
        try:
            return await super().__call__(request)
        except HTTPException:
            raise Unauthenticated(
                "malformed HTTP Basic credentials: the Authorization header must be 'Basic ' "
                "and the base64 of NAME:PASSWORD",
                headers=_BASIC_CHALLENGE,
            ) from None


basic_credentials = _BasicCredentials(auto_error=False)


def bearer_user(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    user = get_state(request).tokens.verify(header[7:].strip())
    if user is None:
        raise Unauthenticated(
            "the bearer token is unknown or expired; log in again", headers={"WWW-Authenticate": 'Bearer realm="mls"'}
        )
    return user


@authenticates
async def require_admin(request: Request, credentials: HTTPBasicCredentials | None = Depends(basic_credentials)) -> str:
    """An account allowed to change server settings and AutoML handlers."""
    user = await require_user(request, credentials)
    admins = get_state(request).config.admins
    if admins is not None and user not in admins:
        raise Forbidden(
            f"account {user!r} may not do this: it needs an admin account (`mls-async server --admin NAME:PASSWORD`)"
        )
    return user


@authenticates
async def require_user(request: Request, credentials: HTTPBasicCredentials | None = Depends(basic_credentials)) -> str:
    """HTTP Basic auth against the configured accounts, or a bearer token from /api/v1/auth/token.

    A coroutine on purpose: it never blocks, and a plain ``def`` dependency would cost
    every request a hop to the thread pool.
    """
    bearer = bearer_user(request)
    if bearer is not None:
        return bearer
    accounts = get_state(request).config.accounts
    challenge = _BASIC_CHALLENGE
    if credentials is None:
        raise Unauthenticated(
            "authentication required: send HTTP Basic credentials of a server account "
            "(username=/password= or $MLS_USERNAME/$MLS_PASSWORD)",
            headers=challenge,
        )
    state = get_state(request)
    address = request.client.host if request.client else "?"
    wait = state.logins.wait(address, credentials.username)
    if wait > 0:
        raise TooManyAttempts(
            f"too many failed logins for {credentials.username!r} from this address; retry in {wait:.0f} s",
            headers={RETRY_AFTER_HEADER: str(max(1, round(wait)))},
        )
    expected = accounts.get(credentials.username)
    if expected is not None and hmac.compare_digest(expected.encode(), credentials.password.encode()):
        state.logins.succeeded(address, credentials.username)
        return credentials.username
    state.logins.failed(address, credentials.username)
    raise Unauthenticated(
        f"wrong username or password for {credentials.username!r}: use an account of this "
        "server (`mls-async server --user NAME:PASSWORD`, or the generated 'mls' password it "
        "printed)",
        headers=challenge,
    )


async def require_profile_reader(
    request: Request, client_id: str, credentials: HTTPBasicCredentials | None = Depends(basic_credentials)
) -> str:
    """The profile API's ``apikey`` header for the client id in the path, or an account (Basic or bearer)."""
    return await authorize_profile_reader(request, client_id, credentials)


async def authorize_profile_reader(
    request: Request, client_id: str, credentials: HTTPBasicCredentials | None = None
) -> str:
    """:func:`require_profile_reader` for plain Starlette endpoints (Basic credentials read here)."""
    apikey = request.headers.get(APIKEY_HEADER)
    if apikey is not None:
        expected = get_state(request).config.apikeys.get(client_id)
        if expected is not None and hmac.compare_digest(expected.encode(), apikey.encode()):
            return f"client:{client_id}"
        raise Unauthenticated(f"the apikey is not valid for profile API client {client_id!r}")
    if credentials is None:
        credentials = await basic_credentials(request)
    return await require_user(request, credentials)


async def authenticate_for_route(request: Request) -> None:
    """Refuse the request as its route's auth dependency would have; routes without one pass.

    FastAPI parses a JSON body before it runs the route's dependencies: an answer about
    the body calls this first, so a request without credentials learns nothing about it.
    """
    dependant = getattr(request.scope.get("route"), "dependant", None)
    for dependency in getattr(dependant, "dependencies", ()):
        if dependency.call in _ROUTE_CHECKS:
            await dependency.call(request, await basic_credentials(request))
            return
        if dependency.call is require_profile_reader:
            await require_profile_reader(
                request, str(request.path_params.get("client_id", "")), await basic_credentials(request)
            )
            return
