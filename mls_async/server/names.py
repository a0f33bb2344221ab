"""The names the server accepts for models, versions and tables."""

from __future__ import annotations

import re

from mls_async._schemas import NAME_PATTERN
from mls_async.server.errors import InvalidRequest

__all__ = ["MAX_NAME", "check_name"]

MAX_NAME = 200  # characters of a model, version or table name


def check_name(value: str, what: str) -> str:
    if not re.fullmatch(NAME_PATTERN, value) or len(value) > MAX_NAME:
        raise InvalidRequest(
            f"{what} {value!r} is not allowed: use letters, digits, '_', '-' and '.', not starting with '.'"
        )
    return value
