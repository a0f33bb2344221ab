"""Errors the local server answers with, always inside the ``{code, error, results}`` envelope."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from mls_async._protocol import envelope_body

__all__ = ["APIError", "envelope", "error_response"]


class APIError(Exception):
    """Answer the request with ``status`` and ``message``."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


def envelope(results: Any = None, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = orjson.dumps(envelope_body(results),
                        option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS, default=str)
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    body = orjson.dumps(envelope_body(code=status, error=message))
    return Response(body, status_code=status, media_type="application/json", headers=headers)
