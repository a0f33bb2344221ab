"""The server's OpenAPI document, made to say what the server answers.

FastAPI documents a 422 for invalid input; the MLS protocol answers 400 with its
``{code, error, results}`` envelope. Every operation here documents the errors it can
answer with that envelope.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.routing import Route

from mls_async._protocol import APIKEY_HEADER
from mls_async._schemas import NAME_PATTERN
from mls_async.server.middleware.shortcuts import shortcut_routes
from mls_async.server.names import MAX_NAME

__all__ = ["allowed_methods", "envelope_response", "install_openapi", "path_parameter"]

ENVELOPE = {
    "type": "object",
    "required": ["code", "error", "results"],
    "properties": {"code": {"type": "integer"}, "error": {"type": ["string", "null"]}, "results": {}},
}
ERRORS = {
    "400": "Invalid request: the error names the field and the fix",
    "401": "No credentials, or wrong ones",
    "403": "The account may not do this (admin accounts only)",
    "404": "No such resource or route",
    "405": "The route has no such method",
    "409": "Exists already, or still in progress",
    "413": "The body is larger than the server accepts",
    "429": "Too many failed logins from this address: wait Retry-After seconds",
    "500": "A bug in the server: the log has the details",
}


def envelope_response(description: str) -> dict[str, Any]:
    """An OpenAPI response answered with the envelope."""
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Envelope"}}},
    }


def path_parameter(name: str, **schema: Any) -> dict[str, Any]:
    """An OpenAPI path parameter, for routes that read their parameters themselves."""
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string", **schema}}


# Path parameters the routes check with ``check_name``: the document says what passes. The
# table probes (is_active, is_loading) answer false for any name, as the platform's do.
_CHECKED_NAMES = ("model_name", "model_version", "table_name")
_UNCHECKED_PROBES = ("/is_active", "/is_loading")


def _document_checks(path: str, operation: dict[str, Any]) -> None:
    """Say in the document what the routes check by hand: names, and the graph API's optional credentials."""
    if "graph" in operation.get("tags", ()):  # open like the platform's: credentials optional, checked if sent
        operation["security"] = [{"HTTPBasic": []}, {}]
    if path.endswith(_UNCHECKED_PROBES):
        return
    for parameter in operation.get("parameters", ()):
        if parameter.get("in") == "path" and parameter.get("name") in _CHECKED_NAMES:
            parameter["schema"] = {**parameter.get("schema", {}), "pattern": NAME_PATTERN, "maxLength": MAX_NAME}


def install_openapi(app: FastAPI) -> None:
    """Replace ``app.openapi`` with the corrected document (built once)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = schema.setdefault("components", {})
        components.setdefault("schemas", {})["Envelope"] = ENVELOPE
        components.setdefault("securitySchemes", {})["apikey"] = {
            "type": "apiKey",
            "in": "header",
            "name": APIKEY_HEADER,
        }
        for path, item in schema["paths"].items():
            for operation in item.values():
                _document_checks(path, operation)
                responses = operation.setdefault("responses", {})
                responses.pop("422", None)
                for status, description in ERRORS.items():
                    responses.setdefault(status, envelope_response(description))
        schemas = components["schemas"]
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method some route answers at ``path``: the ``Allow`` of a 405.

    From the document, the plain routes (the docs) and the routes answered before routing,
    whose GET answers HEAD too. A path that is a route of
    its own (``/api/v1/datasets/upload``) takes only that route's methods: the server never
    hands it to a route with a parameter in its place (``/api/v1/datasets/{dataset_id}``).
    """
    table: list[tuple[re.Pattern[str], bool, set[str]]] | None = getattr(app.state, "allow_table", None)
    if table is None:
        table = [
            (
                re.compile("^" + re.sub(r"\\\{[^}/]+\\\}", "[^/]+", re.escape(template)) + "$"),
                "{" not in template,
                {method.upper() for method in item},
            )
            for template, item in app.openapi()["paths"].items()
        ]
        table += [
            (route.path_regex, "{" not in route.path, set(route.methods or ()))
            for route in app.router.routes
            if type(route) is Route
        ]
        table += [
            (route.path_regex, "{" not in (route.path or ""), {"HEAD"})
            for route, _ in shortcut_routes(app.router.routes)
            if "GET" in (route.methods or ())
        ]
        app.state.allow_table = table
    matching = [(literal, methods) for pattern, literal, methods in table if pattern.match(path)]
    if any(literal for literal, _ in matching):
        matching = [(literal, methods) for literal, methods in matching if literal]
    return sorted(set().union(*(methods for _, methods in matching)))
