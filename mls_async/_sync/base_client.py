# Generated from mls_async/_async/base_client.py by scripts/unasync.py. Do not edit: edit the source and regenerate.
"""``MLSClient``: the one place that builds requests, authenticates, retries and maps errors.

Resource clients (models, components, datasets, the registry, ...) subclass it and stay
thin: build a request, parse a typed result. :class:`mls_async.MLS` lists every
resource as one typed property (``mls.components``) built on its one connection pool.

The pool, the in-flight limiter and what each server announced live in an
:class:`Connection`, shared by the clients built on it (``with_options`` copies,
siblings, a root client's resources). Auth and per-API headers belong to each client and
travel with each request, so one pool serves hosts with different credentials (the
profile API's ``apikey`` never reaches the model API).
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import uuid
from collections.abc import Iterator, Callable, Mapping
from time import monotonic
from typing import Any, ClassVar, Self, TypeVar
from urllib.parse import urlencode

import time
import httpx
import orjson
from pydantic import BaseModel

from mls_async._auth import TokenAuth
from mls_async._config import MLSENV, ClientSettings, MLSRuntimeENV, resolve_settings
from mls_async._exceptions import MLSClientError, MLSConfigError, MLSConnectionError, MLSTimeoutError
from mls_async._hosts import API
from mls_async._http import HTTPClient, Pools
from mls_async._limiter import InflightLimiter
from mls_async._protocol import CAP_IDEMPOTENCY, IDEMPOTENCY_HEADER, RETRY_AFTER_HEADER, USER_AGENT, Announcements
from mls_async._response import MLSResponse, ResponseLike, error_for_response
from mls_async._retry import RetryPolicy, parse_retry_after
from mls_async._validation import check_finite_numbers

__all__ = ["MLSClient", "Connection", "ClientOptions", "DEFAULT_TIMEOUT", "DEFAULT_LIMITS"]

logger = logging.getLogger("mls_async")

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)

C = TypeVar("C", bound="MLSClient")
E = TypeVar("E", bound=BaseModel)


class Connection:
    """Connection pools and in-flight limiters, and what each server announced, for many clients.

    An async connection keeps one pool per event loop that uses it (see :mod:`mls_async._http`),
    so one connection serves every loop.
    """

    def __init__(
        self,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        limits: httpx.Limits = DEFAULT_LIMITS,
        transport: httpx.BaseTransport | str | None = None,
    ) -> None:
        self._pools = Pools(
            timeout=timeout, limits=limits, transport=transport, headers={"User-Agent": USER_AGENT}
        )
        self._announcements: dict[str, Announcements] = {}
        self._auths: dict[tuple[str, str, str], httpx.Auth] = {}

    def auth(self, kind: str, username: str, password: str) -> httpx.Auth:
        """The credentials flow of one account (``"basic"`` or ``"token"``), one per account on this pool.

        Shared, so that a token logged in for one resource serves every resource of the account.
        """
        key = (kind, username, password)
        found = self._auths.get(key)
        if found is None:
            found = self._auths[key] = (httpx.BasicAuth if kind == "basic" else TokenAuth)(username, password)
        return found

    def announcements(self, base_url: str) -> Announcements:
        """What the server at ``base_url`` announced (learned from its responses; one record per host)."""
        found = self._announcements.get(base_url)
        if found is None:
            found = self._announcements[base_url] = Announcements()
        return found

    @property
    def http(self) -> HTTPClient:
        """The running loop's connection pool."""
        return self._pools.http

    @property
    def limiter(self) -> InflightLimiter:
        """The running loop's in-flight limiter."""
        return self._pools.limiter

    def close(self) -> None:
        self._pools.close()


@dataclasses.dataclass(frozen=True)
class ClientOptions:
    """What a client was built from, so that clients of other resources can be built alike."""

    env: MLSENV | str | None
    runtime_env: MLSRuntimeENV | str | None
    username: str | None
    password: str | None
    base_url: str | None
    timeout: float | httpx.Timeout
    retry: RetryPolicy
    auth: str
    extra: Mapping[str, Any] = dataclasses.field(default_factory=dict)  # resource-specific, by ``root_options``

    @classmethod
    def resolve(
        cls,
        env: MLSENV | str | None,
        runtime_env: MLSRuntimeENV | str | None,
        username: str | None,
        password: str | None,
        base_url: str | None,
        timeout: float | httpx.Timeout,
        max_retries: int,
        retry: RetryPolicy | None,
        auth: str,
        extra: Mapping[str, Any] | None = None,
    ) -> ClientOptions:
        """The options of a client's arguments: ``auth`` checked, ``retry`` from ``max_retries`` unless given."""
        if auth not in ("basic", "token"):
            raise MLSConfigError(f"auth={auth!r} is not valid; use 'basic' or 'token'")
        return cls(
            env,
            runtime_env,
            username,
            password,
            base_url,
            timeout,
            retry if retry is not None else RetryPolicy(max_retries=max_retries),
            auth,
            dict(extra or {}),
        )

    def with_defaults(self, timeout: float | httpx.Timeout | None, max_retries: int | None) -> ClientOptions:
        """These options with another per-call timeout and number of retries, where given."""
        options = self
        if timeout is not None:
            options = dataclasses.replace(options, timeout=timeout)
        if max_retries is not None:
            options = dataclasses.replace(options, retry=dataclasses.replace(options.retry, max_retries=max_retries))
        return options


class MLSClient:
    """Base of every MLS client: a connection pool (its own, or a shared one), HTTP Basic or token auth.

    Args:
        env, runtime_env, username, password: as in the original SDK, each falling back
            to ``$MLS_ENV``, ``$MLS_RUNTIME_ENV``, ``$MLS_USERNAME``, ``$MLS_PASSWORD``.
        base_url: the server's URL (``$MLS_BASE_URL``); the local server's for ``MLSENV.LOCAL``.
        timeout: seconds or an ``httpx.Timeout``; per call via ``timeout=``.
        max_retries: retries after the first attempt; per call via ``max_retries=``.
        retry: a full ``RetryPolicy`` (backoff and ``Retry-After`` caps) instead of ``max_retries``.
        limits: connection pool limits.
        transport: ``"aiohttp"`` (the async default), ``"httpx"``, or an httpx transport
            (``httpx.ASGITransport`` for an in-process server); see :mod:`mls_async._transports`.
        auth: ``"basic"`` (HTTP Basic on every request, what every MLS accepts) or ``"token"``
            (log in once for a bearer token, refreshed once on a 401).
        connection: an :class:`Connection` to share (its pool); by default the client
            opens its own and closes it in :meth:`close`.

    Use it as ``with`` or call :meth:`close`.
    """

    _api: ClassVar[API] = API.AB  # which of the platform's APIs this client's default host serves
    root_options: ClassVar[tuple[str, ...]] = ()  # the keywords of ``ClientOptions.extra`` this resource takes

    def __init__(
        self,
        env: MLSENV | str | None = None,
        runtime_env: MLSRuntimeENV | str | None = None,
        username: str | None = None,
        password: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        retry: RetryPolicy | None = None,
        limits: httpx.Limits = DEFAULT_LIMITS,
        transport: httpx.BaseTransport | str | None = None,
        auth: str = "basic",
        credentials_required: bool = True,
        connection: Connection | None = None,
    ) -> None:
        self._settings: ClientSettings = resolve_settings(
            env, runtime_env, username, password, base_url, credentials_required=credentials_required, api=self._api
        )
        self._options = ClientOptions.resolve(
            env, runtime_env, username, password, base_url, timeout, max_retries, retry, auth
        )
        self._retry = self._options.retry
        self._timeout = timeout
        self._headers: dict[str, str] = {}  # sent with every request of this client (the profile API's apikey)
        self._owns_connection = connection is None
        self._connection = (
            connection
            if connection is not None
            else Connection(timeout=timeout, limits=limits, transport=transport)
        )
        self._auth: httpx.Auth | None = None
        if self._settings.username is not None and self._settings.password is not None:
            self._auth = self._connection.auth(auth, self._settings.username, self._settings.password)
        # protocol extensions the server announced, shared by every client of this connection and host
        self._announcements = self._connection.announcements(self._settings.base_url)

    @classmethod
    def _from_options(cls, options: ClientOptions, connection: Connection) -> Self:
        """This resource's client built from ``options`` on ``connection`` (how the root client builds it)."""
        extra = {name: options.extra[name] for name in cls.root_options if name in options.extra}
        return cls(
            env=options.env,
            runtime_env=options.runtime_env,
            username=options.username,
            password=options.password,
            base_url=options.base_url,
            timeout=options.timeout,
            retry=options.retry,
            auth=options.auth,
            connection=connection,
            **extra,
        )

    def _sibling(self, cls: type[C]) -> C:
        """A client of another resource on this client's connection, with its options and account."""
        return cls._from_options(self._options, self._connection)

    @property
    def _http(self) -> HTTPClient:
        return self._connection.http

    @property
    def _limiter(self) -> InflightLimiter:
        return self._connection.limiter

    # -- the original SDK's accessors -------------------------------------------------
    def get_env(self) -> MLSENV:
        return self._settings.env

    def get_runtime_env(self) -> MLSRuntimeENV:
        return self._settings.runtime_env

    def get_username(self) -> str | None:
        return self._settings.username

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._settings!r})"

    def supports(self, capability: str) -> bool:
        """Whether a response from this server announced the protocol extension ``capability``."""
        return self._announcements.supports(capability)

    def announced(self, capability: str) -> bool | None:
        """Like :meth:`supports`, but None while no response has come back to tell."""
        return self._announcements.announced(capability)

    def with_options(self, *, timeout: float | httpx.Timeout | None = None, max_retries: int | None = None) -> Self:
        """A new client with other per-call defaults on this client's connection pool.

        Example: ``client.with_options(timeout=120, max_retries=0).get_manual_model(id=3)``.
        The copy does not own the pool: closing it leaves the pool open; close the original.
        """
        clone = copy.copy(self)
        clone._options = self._options.with_defaults(timeout, max_retries)
        clone._timeout, clone._retry = clone._options.timeout, clone._options.retry
        clone._owns_connection = False
        clone._copied()
        return clone

    def _copied(self) -> None:
        """Rebind per-client helpers after :meth:`with_options` made this copy (see the profile client)."""

    # -- lifecycle --------------------------------------------------------------------
    def close(self) -> None:
        """Close the connection pool, if this client opened it."""
        if self._owns_connection:
            self._connection.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- requests ---------------------------------------------------------------------
    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content: Callable[[], Any] | bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        idempotent: bool = False,
        read_only: bool = False,
    ) -> MLSResponse:
        """Send one logical call and decode its envelope, retrying where that is safe.

        ``idempotent=True`` attaches one idempotency key to every attempt of a POST; the
        POST is retried only when the server announced that it honours the key.
        ``read_only=True`` says a POST only reads (its body carries the query): it is retried
        as a GET would be. ``content`` may be a factory returning a fresh body iterable per
        attempt (streamed uploads).
        """
        response = self._exchange(
            method,
            path,
            params=params,
            json=json,
            content=content,
            headers=headers,
            timeout=timeout,
            max_retries=max_retries,
            idempotent=idempotent,
            read_only=read_only,
        )
        return MLSResponse.from_httpx(response)

    def _stream(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send a request whose response body is read as a stream (downloads)."""
        response = self._exchange(method, path, stream=True, **kwargs)
        if not isinstance(response, httpx.Response):  # streams never take the direct path
            raise TypeError(f"expected an httpx.Response, got {type(response).__name__}")
        return response

    def _exchange(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content: Callable[[], Any] | bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        idempotent: bool = False,
        read_only: bool = False,
        stream: bool = False,
    ) -> ResponseLike:
        """One logical call: its attempts, retries and error mapping; bodyless calls may go direct."""
        method = method.upper()
        request_headers = {**self._headers, **headers} if headers else dict(self._headers)
        if idempotent:
            request_headers[IDEMPOTENCY_HEADER] = uuid.uuid4().hex
        body: Any = None
        if json is not None:
            check_finite_numbers(json)
            body = orjson.dumps(json, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY)
            request_headers["Content-Type"] = "application/json"
        url = self._url(path, params)
        retries = self._retry.max_retries if max_retries is None else max_retries
        attempt = 0
        started = monotonic()
        while True:
            payload = content() if callable(content) else (content if content is not None else body)
            request_timeout = timeout if timeout is not None else self._timeout
            direct = self._http.direct_transport(self._auth) if (payload is None and not stream) else None
            retry_after: float | None = None
            sent = True
            try:
                with self._limiter:
                    response: ResponseLike
                    if direct is not None:
                        response = direct.direct_request(
                            method, url, self._direct_headers(request_headers), httpx.Timeout(request_timeout)
                        )
                    else:
                        request = self._http.build_request(
                            method, url, content=payload, headers=request_headers, timeout=request_timeout
                        )
                        response = self._http.send(request, stream=stream, auth=self._auth)
            except httpx.TimeoutException as exc:
                sent = not isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout))
                error: MLSClientError = MLSTimeoutError(None, f"{method} {_path(path)} timed out: {exc!r}")
                cause: BaseException | None = exc
            except httpx.TransportError as exc:
                sent = not isinstance(exc, httpx.ConnectError)
                if sent:
                    error = MLSConnectionError(None, f"{method} {_path(path)} failed: {exc!r}")
                else:
                    error = MLSConnectionError(None, self._unreachable(exc))
                cause = exc
            except RuntimeError as exc:
                if not _loop_bound(exc):
                    raise
                raise MLSClientError(
                    None,
                    f"{method} {_path(path)} failed: the transport given to this client "
                    f"belongs to another event loop ({exc}); give the client "
                    "transport='aiohttp' or 'httpx' (it keeps one pool per event loop), "
                    "or a transport made for this loop",
                ) from exc
            else:
                self._announcements.learn(response.headers)
                if response.status_code < 400:
                    logger.debug("%s %s -> %s", method, path, response.status_code)
                    return response
                if isinstance(response, httpx.Response) and stream:
                    response.read()
                    response.close()
                error = error_for_response(response)
                retry_after = parse_retry_after(response.headers.get(RETRY_AFTER_HEADER))
                cause = None
            repeatable = read_only or (IDEMPOTENCY_HEADER in request_headers and self.supports(CAP_IDEMPOTENCY))
            if attempt < retries and self._retry.should_retry(error, method, has_idempotency_key=repeatable, sent=sent):
                delay = self._retry.delay(attempt, retry_after)
                if delay is None:
                    self._note(
                        error,
                        f"not retried: the server asked to wait {retry_after:.0f} s, longer than "
                        f"max_retry_after={self._retry.max_retry_after:g} s",
                    )
                elif not self._retry.within_deadline(monotonic() - started, delay):
                    self._note(
                        error,
                        f"not retried: another attempt would begin past the retries' deadline of "
                        f"{self._retry.deadline:g} s",
                    )
                else:
                    logger.info("retrying %s %s in %.2fs after: %s", method, _path(path), delay, error.msg)
                    attempt += 1
                    time.sleep(delay)
                    continue
            if sent and not repeatable and self._retry.is_unsafe_to_repeat(error, method):
                self._note(
                    error,
                    f"the {method} may or may not have been applied: it was not retried because "
                    "the server does not announce Idempotency-Key support",
                )
            if cause is not None:  # the message says what happened: keep the cause, not its inner chain
                cause.__suppress_context__ = True
            raise error from cause

    @staticmethod
    def _note(error: MLSClientError, note: str) -> None:
        """Add ``note`` to ``error``'s message (why it was not retried)."""
        error.msg += f"; {note}"
        error.args = (error.msg,)

    def _direct_headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """The headers httpx would send: the pool's, the request's, then Basic auth (as its auth flow)."""
        pool_headers, authorization = self._http.direct_headers(self._auth)
        merged = dict(pool_headers)
        merged.update(headers)
        if authorization is not None:
            merged["Authorization"] = authorization
        return merged

    def _unreachable(self, exc: BaseException) -> str:
        settings = self._settings
        hint = (
            "start it with `mls-async server` (or pass base_url=)"
            if settings.env is MLSENV.LOCAL
            else f"check base_url= or env= (now env={settings.env.name}, runtime_env={settings.runtime_env.name})"
        )
        return f"cannot reach the MLS server at {settings.base_url} ({exc}); is it running? {hint}"

    def _url(self, path: str, params: Mapping[str, Any] | None) -> str:
        """The absolute URL, query encoded here: httpx then parses it once instead of three times."""
        url = self._settings.base_url + _path(path)
        query = encode_query(params)
        return f"{url}?{query}" if query else url

    def _list(self, path: str, entity: type[E], params: Mapping[str, Any] | None = None) -> list[E]:
        """One page of a list call, each item as ``entity``."""
        results = (self._request("GET", path, params=params)).results
        return [entity(**item) for item in results or []]

    def _paginate(self, path: str, entity: type[E], params: Mapping[str, Any] | None = None) -> Iterator[E]:
        """Every item of a paged list call as ``entity``, page 1 (or ``page``) onwards, until an empty page."""
        query = dict(params or {})
        page = int(query.pop("page", None) or 1)
        while True:
            results = (self._request("GET", path, params={**query, "page": page})).results
            if not results:
                return
            for item in results:
                yield entity(**item)
            page += 1


def _loop_bound(exc: RuntimeError) -> bool:
    """Whether ``exc`` is asyncio's refusal to use something of another (or a closed) event loop."""
    text = str(exc)
    return "event loop" in text.lower() or "attached to a different loop" in text


def _path(path: str) -> str:
    return path if path.startswith("/") else "/" + path


def encode_query(params: Mapping[str, Any] | None) -> str:
    """``params`` as the query string the original sends (repeated keys for lists), "" for none."""
    query = _clean_params(params)
    return urlencode(query, doseq=True) if query else ""


def _clean_params(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Drop None values and render booleans as ``True``/``False``, as the original SDK (requests) does."""
    if not params:
        return None
    cleaned: dict[str, Any] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "True" if value else "False"
        cleaned[key] = value
    return cleaned
