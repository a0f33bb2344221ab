"""Shared server state, configuration and request helpers: auth, idempotency, paging, names."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import anyio
from fastapi import Depends, HTTPException, Query, Request
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from starlette.requests import HTTPConnection
from starlette.responses import Response

from mls_async._protocol import APIKEY_HEADER, IDEMPOTENCY_HEADER, RETRY_AFTER_HEADER
from mls_async._schemas import NAME_PATTERN
from mls_async.server.artifact_store import LocalArtifactStore
from mls_async.server.automl import AutoMLService
from mls_async.server.batch_predictions import BatchPredictionService
from mls_async.server.datasets import DatasetStore
from mls_async.server.errors import Conflicting, Forbidden, InvalidRequest, TooManyAttempts, Unauthenticated
from mls_async.server.features import FeatureDelay, LocalProfileClient
from mls_async.server.scratch import aside_name, sweep_asides, write_once
from mls_async.server.storage import SQLiteStorage
from mls_async.server.tables import TableService

__all__ = [
    "PAGE_SIZE",
    "ServerConfig",
    "State",
    "basic_credentials",
    "bearer_user",
    "check_name",
    "get_state",
    "idempotent",
    "idempotent_async",
    "Page",
    "paging",
    "random_password",
    "require_user",
    "require_admin",
    "require_profile_reader",
    "authorize_profile_reader",
]

PAGE_SIZE = 50
_BASIC_CHALLENGE = {"WWW-Authenticate": 'Basic realm="mls"'}


class _BasicCredentials(HTTPBasic):
    """HTTP Basic credentials, or None when the request has none; a malformed header is a 401 envelope.

    FastAPI's own refusal is an ``HTTPException`` only its routes know how to answer; this
    one is the server's ``Unauthenticated``, answered alike on every path (the fast ones too).
    """

    async def __call__(self, request: HTTPConnection) -> HTTPBasicCredentials | None:  # type: ignore[override]
        try:
            return await super().__call__(request)
        except HTTPException:
            raise Unauthenticated("malformed HTTP Basic credentials: the Authorization header must be 'Basic ' "
                                  "and the base64 of NAME:PASSWORD", headers=_BASIC_CHALLENGE) from None


basic_credentials = _BasicCredentials(auto_error=False)


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


TOKEN_SECRET_FILE = "token-secret"
_ASIDES = (TOKEN_SECRET_FILE, "generation", "generated-password")  # files of the data dir replaced whole


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


class State:
    def __init__(self, config: ServerConfig) -> None:
        config.data_dir.mkdir(parents=True, exist_ok=True)
        sweep_asides(config.data_dir, _ASIDES)  # files a crash left before renaming them into place
        self.config = config
        self.storage = SQLiteStorage(config.data_dir / "mls.sqlite3")
        self.storage.release_all_pending()  # idempotency reservations of requests a crash cut short
        self.artifacts = LocalArtifactStore(config.data_dir / "registry", self.storage,
                                            max_bytes=config.max_upload_bytes,
                                            max_unpacked_bytes=config.max_unpacked_bytes)
        self.datasets = DatasetStore(config.data_dir / "datasets", self.storage, max_bytes=config.max_upload_bytes)
        self.tables = TableService(self.storage)
        self.feature_delay = FeatureDelay(config)
        self.profiles = LocalProfileClient(self.storage, self.feature_delay.seconds)
        self.automl = AutoMLService(self.storage, self.datasets, config.data_dir / "automl",
                                    time_limit=config.automl_time_limit, profiles=self.profiles)
        self.predictions = BatchPredictionService(self.storage, self.datasets, config.data_dir / "automl",
                                                  config.data_dir / "exports")
        self.model_cache: dict[tuple[str, str, str], Any] = {}
        # model id -> (storage generation, model): online predictions of a warm model read no records
        self.deployments: dict[int, tuple[tuple[int, int], Any]] = {}
        self.tokens = TokenSigner(config.data_dir / TOKEN_SECRET_FILE)
        self.logins = LoginThrottle(config.login_attempts)


def get_state(request: Request) -> State:
    return cast("State", request.app.state.mls)


def bearer_user(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    user = get_state(request).tokens.verify(header[7:].strip())
    if user is None:
        raise Unauthenticated("the bearer token is unknown or expired; log in again",
                       headers={"WWW-Authenticate": 'Bearer realm="mls"'})
    return user


class LoginThrottle:
    """Failed logins per (client address, account): after ``attempts`` in a row, a pause that doubles.

    Keyed by address too, so that nobody can lock an account out for its owner elsewhere;
    a success resets the count.
    """

    def __init__(self, attempts: int, first_pause: float = 1.0, max_pause: float = 300.0) -> None:
        self.attempts, self.first_pause, self.max_pause = attempts, first_pause, max_pause
        self._failures: dict[tuple[str, str], tuple[int, float]] = {}  # -> (failures, paused until)

    def wait(self, address: str, account: str) -> float:
        """Seconds this address must wait before trying ``account`` again (0: go ahead)."""
        entry = self._failures.get((address, account))
        return max(0.0, entry[1] - time.monotonic()) if entry else 0.0

    def failed(self, address: str, account: str) -> None:
        failures = self._failures.get((address, account), (0, 0.0))[0] + 1
        pause = 0.0
        if failures >= self.attempts:
            pause = min(self.max_pause, self.first_pause * 2 ** (failures - self.attempts))
        if len(self._failures) > 10_000:  # bounded memory under a spray of names
            self._failures.clear()
        self._failures[(address, account)] = (failures, time.monotonic() + pause)

    def succeeded(self, address: str, account: str) -> None:
        self._failures.pop((address, account), None)


async def require_admin(request: Request,
                        credentials: HTTPBasicCredentials | None = Depends(basic_credentials)) -> str:
    """An account allowed to change server settings and AutoML handlers."""
    user = await require_user(request, credentials)
    admins = get_state(request).config.admins
    if admins is not None and user not in admins:
        raise Forbidden(f"account {user!r} may not do this: it needs an admin account "
                            "(`mls-async server --admin NAME:PASSWORD`)")
    return user


async def require_user(request: Request,
                       credentials: HTTPBasicCredentials | None = Depends(basic_credentials)) -> str:
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
        raise Unauthenticated("authentication required: send HTTP Basic credentials of a server account "
                            "(username=/password= or $MLS_USERNAME/$MLS_PASSWORD)", headers=challenge)
    state = get_state(request)
    address = request.client.host if request.client else "?"
    wait = state.logins.wait(address, credentials.username)
    if wait > 0:
        raise TooManyAttempts(f"too many failed logins for {credentials.username!r} from this address; "
                            f"retry in {wait:.0f} s", headers={RETRY_AFTER_HEADER: str(max(1, round(wait)))})
    expected = accounts.get(credentials.username)
    if expected is not None and hmac.compare_digest(expected.encode(), credentials.password.encode()):
        state.logins.succeeded(address, credentials.username)
        return credentials.username
    state.logins.failed(address, credentials.username)
    raise Unauthenticated(f"wrong username or password for {credentials.username!r}: use an account of this "
                        "server (`mls-async server --user NAME:PASSWORD`, or the generated 'mls' password it "
                        "printed)", headers=challenge)


async def require_profile_reader(request: Request, client_id: str,
                                 credentials: HTTPBasicCredentials | None = Depends(basic_credentials)) -> str:
    """The profile API's ``apikey`` header for the client id in the path, or an account (Basic or bearer)."""
    return await authorize_profile_reader(request, client_id, credentials)


async def authorize_profile_reader(request: Request, client_id: str,
                                   credentials: HTTPBasicCredentials | None = None) -> str:
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


IDEMPOTENCY_WAIT = 30.0  # seconds a repeat waits for the first request with its key to answer


def _scoped_key(request: Request) -> str | None:
    """The request's Idempotency-Key, tied to its endpoint: the same key on another route is another key."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    return f"{request.method} {request.url.path} {key}" if key else None


def _earlier_answer(storage: SQLiteStorage, user: str, key: str, deadline: float) -> Response | None:
    """The answer of the first request with ``key`` once it is kept; None while it still runs."""
    remembered = storage.remembered(user, key)
    if remembered is not None and remembered[0]:
        return Response(remembered[1], status_code=remembered[0], media_type="application/json")
    if time.monotonic() > deadline:
        raise Conflicting("a request with this Idempotency-Key is still running; retry it later")
    return None


def idempotent(request: Request, user: str, produce: Callable[[], Response]) -> Response:
    """Apply a POST once per Idempotency-Key: a repeat gets the first answer, even while it runs."""
    key = _scoped_key(request)
    if key is None:
        return produce()
    storage = get_state(request).storage
    deadline = time.monotonic() + IDEMPOTENCY_WAIT
    while not storage.reserve(user, key):
        if (earlier := _earlier_answer(storage, user, key, deadline)) is not None:
            return earlier
        time.sleep(0.02)  # the first request with this key is running (routes using this run in threads)
    try:
        response = produce()
    except BaseException:
        storage.release(user, key)
        raise
    return _kept(storage, user, key, response)


async def idempotent_async(request: Request, user: str, produce: Callable[[], Awaitable[Response]]) -> Response:
    """:func:`idempotent` for coroutine routes (streamed uploads)."""
    key = _scoped_key(request)
    if key is None:
        return await produce()
    storage = get_state(request).storage
    deadline = time.monotonic() + IDEMPOTENCY_WAIT
    while not storage.reserve(user, key):
        if (earlier := _earlier_answer(storage, user, key, deadline)) is not None:
            return earlier
        await anyio.sleep(0.02)
    try:
        response = await produce()
    except BaseException:
        storage.release(user, key)
        raise
    return _kept(storage, user, key, response)


def _kept(storage: SQLiteStorage, user: str, key: str, response: Response) -> Response:
    if response.status_code < 400:
        storage.remember(user, key, response.status_code, bytes(response.body))
    else:
        storage.release(user, key)
    return response


@dataclass(frozen=True)
class Page:
    """Which slice of a list to answer: everything when no page was asked for."""

    offset: int = 0
    limit: int | None = None


async def paging(page: int | None = Query(None, ge=1, description="1-based page; every item when omitted"),
           page_size: int | None = Query(None, ge=1, le=500)) -> Page:
    """The ``page``/``page_size`` query parameters shared by every list endpoint."""
    if page is None:
        return Page()
    size = page_size or PAGE_SIZE
    return Page((page - 1) * size, size)


MAX_NAME = 200  # characters of a model, version or table name


def check_name(value: str, what: str) -> str:
    if not re.fullmatch(NAME_PATTERN, value) or len(value) > MAX_NAME:
        raise InvalidRequest(f"{what} {value!r} is not allowed: use letters, digits, '_', '-' and '.', "
                            "not starting with '.'")
    return value


def random_password() -> str:
    return secrets.token_urlsafe(18)
