"""Argument checks that run before any request, with messages that name the fix."""

from __future__ import annotations

import ast
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from mls_async._exceptions import MLSValidationError

__all__ = ["check_type", "check_lookup", "check_handler_source", "build_body"]

BaseModelT = TypeVar("BaseModelT", bound=BaseModel)


def _type_names(types: type | tuple[type, ...]) -> str:
    if isinstance(types, tuple):
        return " or ".join(t.__name__ for t in types)
    return types.__name__


def check_type(
    value: Any, types: type | tuple[type, ...], name: str, *, optional: bool = False, hint: str = ""
) -> None:
    """Raise ``MLSValidationError`` unless ``value`` is an instance of ``types``."""
    if value is None and optional:
        return
    if isinstance(value, bool) and (types is int or (isinstance(types, tuple) and bool not in types and int in types)):
        ok = False
    else:
        ok = isinstance(value, types)
    if not ok:
        message = f"{name} must be {_type_names(types)}, got {type(value).__name__} ({value!r:.60})"
        raise MLSValidationError(f"{message}. {hint}".strip() if hint else message)


def check_lookup(id: Any, name: Any, version: Any, what: str) -> None:
    """A lookup needs ``id`` or both ``name`` and ``version``."""
    if id is None and (name is None or version is None):
        raise MLSValidationError(
            f"{what} needs id=... or both name=... and version=... (got id={id!r}, name={name!r}, version={version!r})"
        )
    check_type(id, int, "id", optional=True)
    check_type(name, str, "name", optional=True)
    check_type(version, str, "version", optional=True)


def check_handler_source(handler: Any) -> None:
    """Compile the handler locally so a syntax error fails before any request, naming the line."""
    check_type(handler, str, "handler", hint="Pass the Python source text, e.g. open('handler.py').read().")
    try:
        ast.parse(handler, filename="<handler>")
    except SyntaxError as exc:
        line = (exc.text or "").strip()
        raise MLSValidationError(
            f"handler has a syntax error at line {exc.lineno}: {exc.msg}" + (f": {line!r}" if line else "")
        ) from exc


def build_body(schema: type[BaseModelT], **fields: Any) -> BaseModelT:
    """Build a request body, turning pydantic's errors into one ``MLSValidationError``."""
    try:
        return schema(**fields)
    except ValidationError as exc:
        problems = []
        for error in exc.errors()[:5]:
            where = ".".join(str(p) for p in error.get("loc", ()))
            value = error.get("input")
            problems.append(f"{where}={value!r:.60}: {error.get('msg')}")
        raise MLSValidationError("invalid arguments: " + "; ".join(problems)) from None


def check_finite_numbers(value: Any, where: str = "the body") -> None:
    """Refuse NaN and Infinity before sending: JSON has no such numbers and orjson would send null."""
    found = _non_finite(value)
    if found is not None:
        path, number = found
        raise MLSValidationError(f"{where}{path} holds {number}, which JSON cannot carry; send None or a finite number")


_CONTAINERS = (dict, list, tuple)


def _non_finite(value: Any) -> tuple[str, float] | None:
    """The path and value of the first NaN or infinity in ``value`` (paths are built only for it)."""
    if isinstance(value, float):
        return ("", value) if value != value or value in (float("inf"), float("-inf")) else None
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, (list, tuple)):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if isinstance(item, (float, *_CONTAINERS)):
            found = _non_finite(item)
            if found is not None:
                return f"[{key!r}]" + found[0], found[1]
    return None
