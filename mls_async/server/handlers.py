"""The app's exception handlers: every refusal answered with the ``{code, error, results}`` envelope."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from mls_async.server.auth import authenticate_for_route
from mls_async.server.errors import STATUS, ServiceError, error_response, service_error_response
from mls_async.server.openapi import allowed_methods

__all__ = ["install_handlers"]


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {error.get('msg')}")
    return "invalid request: " + "; ".join(parts)


def install_handlers(app: FastAPI) -> None:
    """Answer service refusals by the one table, invalid input with 400, HTTP errors as envelopes."""

    async def refused(request: Request, exc: Exception) -> Response:
        return service_error_response(exc)

    for kind in STATUS:
        app.add_exception_handler(kind, refused)

    async def invalid_request(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        try:
            await authenticate_for_route(request)  # a body that is no JSON fails before the route's auth ran
        except ServiceError as refusal:
            return service_error_response(refusal)
        return error_response(400, _validation_message(exc))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:  # every method of the path, not only those of the first route found
            headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(app, request.url.path))}
        return error_response(exc.status_code, str(exc.detail), headers=headers)

    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
