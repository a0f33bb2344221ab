"""What the server's services refuse, in their own terms, and the one table that maps it to HTTP.

Services and routes raise a :class:`ServiceError` kind (``NotFound``, ``Conflicting``,
``PredictionFailed``, ...); :data:`STATUS` turns each into its status, and every answer,
error or not, is the ``{code, error, results}`` envelope. A model's failure to predict
is a 422 with the model's message; anything unexpected is a 500 (see the app's guard).
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from mls_async._protocol import envelope_body
from mls_async.server.storage import Conflict, Unstorable

__all__ = [
    "ServiceError",
    "InvalidRequest",
    "Unauthenticated",
    "Forbidden",
    "NotFound",
    "Conflicting",
    "TooLarge",
    "PredictionFailed",
    "TooManyAttempts",
    "ServiceFailed",
    "STATUS",
    "status_of",
    "envelope",
    "error_response",
    "service_error_response",
]


class ServiceError(Exception):
    """A request the server will not carry out; ``message`` says why (and ``headers`` go with the answer)."""

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers


class InvalidRequest(ServiceError):
    """The request is malformed or asks for something impossible."""


class Unauthenticated(ServiceError):
    """No valid credentials came with the request."""


class Forbidden(ServiceError):
    """The account may not do this."""


class NotFound(ServiceError):
    """No such resource."""


class Conflicting(ServiceError):
    """The resource exists already, or is not in a state that allows this."""


class TooLarge(ServiceError):
    """The request carries more than the server accepts."""


class PredictionFailed(ServiceError):
    """The model (or an AutoML handler) raised while predicting: the request was fine, the model was not."""


class TooManyAttempts(ServiceError):
    """Too many failed attempts (logins) from one place."""


class ServiceFailed(ServiceError):
    """The server could not do its part (a registered model that will not load, say)."""


STATUS: dict[type[Exception], int] = {
    InvalidRequest: 400,
    Unstorable: 400,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflicting: 409,
    Conflict: 409,
    TooLarge: 413,
    PredictionFailed: 422,
    TooManyAttempts: 429,
    ServiceFailed: 500,
}


def status_of(exc: BaseException) -> int:
    """The HTTP status of ``exc``: its kind's entry in :data:`STATUS` (500 for anything else)."""
    for kind in type(exc).__mro__:
        status = STATUS.get(kind)
        if status is not None:
            return status
    return 500


def envelope(results: Any = None, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = orjson.dumps(
        envelope_body(results), option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS, default=str
    )
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    body = orjson.dumps(envelope_body(code=status, error=message))
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def service_error_response(exc: Exception) -> Response:
    """The answer to a refused request."""
    return error_response(status_of(exc), getattr(exc, "message", None) or str(exc), getattr(exc, "headers", None))
