"""The ``{"code", "error", "results"}`` envelope and the one mapping from responses to errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import httpx
import orjson

from mls_async._exceptions import (
    MLSAPIStatusError,
    MLSBadRequestError,
    MLSClientError,
    MLSConflictError,
    MLSForbiddenError,
    MLSNotFoundError,
    MLSRateLimitError,
    MLSServerError,
    MLSUnauthorizedError,
    MLSUnprocessableEntityError,
)
from mls_async._protocol import REQUEST_ID_HEADER

__all__ = ["MLSResponse", "ResponseLike", "error_for_response", "REQUEST_ID_HEADER"]


_STATUS_ERRORS: dict[int, type[MLSAPIStatusError]] = {
    400: MLSBadRequestError,
    401: MLSUnauthorizedError,
    403: MLSForbiddenError,
    404: MLSNotFoundError,
    409: MLSConflictError,
    422: MLSUnprocessableEntityError,
    429: MLSRateLimitError,
}


class ResponseLike(Protocol):
    """What decoding reads of a response: an ``httpx.Response``, or a direct one (see ``_aiohttp_transport``)."""

    status_code: int

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def content(self) -> bytes: ...

    @property
    def request(self) -> httpx.Request: ...


class MLSResponse:
    """A decoded success envelope: ``status``, ``code``, ``error`` (None) and ``results``.

    Build it with :meth:`from_httpx`; error envelopes become exceptions there, never
    an ``MLSResponse``.
    """

    __slots__ = ("status", "code", "error", "results", "request_id")

    def __init__(
        self,
        status: int = 200,
        body: dict[str, Any] | None = None,
        *,
        request_id: str | None = None,
    ) -> None:
        body = body or {}
        self.status = status
        self.code = body.get("code", 0)
        self.error = body.get("error")
        self.results: Any = body.get("results")
        self.request_id = request_id

    @classmethod
    def from_httpx(cls, response: ResponseLike) -> MLSResponse:
        """Decode ``response``; raise the mapped ``MLSClientError`` for any failure."""
        body = _decode_body(response)
        if response.status_code >= 400 or (isinstance(body, dict) and body.get("error")):
            raise error_for_response(response, body)
        if not isinstance(body, dict):
            raise MLSServerError(
                response.status_code,
                f"expected a JSON envelope from {response.request.method} {response.request.url.path}, "
                f"got {_preview(response)}",
                status=response.status_code,
                request_id=response.headers.get(REQUEST_ID_HEADER),
            )
        return cls(response.status_code, body, request_id=response.headers.get(REQUEST_ID_HEADER))

    def __repr__(self) -> str:
        return f"MLSResponse(status={self.status}, code={self.code}, results={self.results!r})"


def _decode_body(response: ResponseLike) -> Any:
    if not response.content:
        return None
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return None


def _preview(response: ResponseLike) -> str:
    text = response.content[:200].decode("utf-8", "replace").strip()
    return repr(text) if text else "an empty body"


def error_for_response(response: ResponseLike, body: Any = None) -> MLSClientError:
    """Map a failed response (HTTP status or envelope error) to its error class."""
    status = response.status_code
    if body is None:
        body = _decode_body(response)
    if isinstance(body, dict) and body.get("error"):
        message = str(body["error"])
        code = body.get("code") if isinstance(body.get("code"), int) else status
    else:
        message = f"HTTP {status} from {response.request.method} {response.request.url.path}: {_preview(response)}"
        code = status
    if status >= 500:
        cls: type[MLSAPIStatusError] = MLSServerError
    elif status >= 400:
        cls = _STATUS_ERRORS.get(status, MLSAPIStatusError)
    else:  # an error envelope with a 2xx status: classify by the platform code
        platform_code = int(code or 0)
        cls = _STATUS_ERRORS.get(platform_code, MLSServerError if platform_code >= 500 else MLSAPIStatusError)
    return cls(code, message, status=status, request_id=response.headers.get(REQUEST_ID_HEADER))
