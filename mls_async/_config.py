"""Environments and client settings, resolved from arguments or ``$MLS_*`` variables.

Resolution order for every setting: the explicit argument, then the environment
variable, then the default (``STG``, as in the original SDK). Without a ``base_url``
the host comes from the original SDK's table per runtime env, env and API
(:mod:`mls_async._hosts`); ``LOCAL`` means the local server. Enum variables hold the member *name* (``STG``); the
lowercase value (``stg``) is accepted too. ``$MLS_RUNTINE_ENV`` (the original SDK's
spelling) is read when ``$MLS_RUNTIME_ENV`` is unset.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from mls_async._exceptions import MLSConfigError
from mls_async._hosts import API, platform_url

__all__ = ["MLSENV", "MLSRuntimeENV", "ClientSettings", "resolve_settings", "DEFAULT_LOCAL_URL", "API", "platform_url"]

DEFAULT_LOCAL_URL = "http://127.0.0.1:8000"


class _ListableEnum(Enum):
    @classmethod
    def list_items(cls) -> list[Any]:
        return list(cls)

    @classmethod
    def list_values(cls) -> list[str]:
        return [member.value for member in cls]


class MLSENV(_ListableEnum):
    """The MLS platform environment a client talks to."""

    DEV = "dev"
    STG = "stg"
    PRD = "prd"
    DEV_LAND = "dev_land"
    STG_LAND = "stg_land"
    PRD_LAND = "prd_land"
    LOCAL = "local"


class MLSRuntimeENV(_ListableEnum):
    """Where the client itself runs."""

    YE = "YE"
    EDD = "EDD"
    MMS = "MMS"
    LOCAL = "LOCAL"


E = TypeVar("E", bound=_ListableEnum)


def coerce_enum(enum_cls: type[E], value: object, source: str) -> E:
    """Turn an enum member, member name or value into a member, or explain what is valid."""
    if isinstance(value, enum_cls):
        return value
    if isinstance(value, str):
        for member in enum_cls:
            if value in (member.name, member.value) or value.upper() == member.name:
                return member
    valid = ", ".join(member.name for member in enum_cls)
    raise MLSConfigError(f"{source}={value!r} is not a valid {enum_cls.__name__}; use one of: {valid}")


@dataclass(frozen=True)
class ClientSettings:
    """Everything a client needs to reach one MLS deployment."""

    env: MLSENV
    runtime_env: MLSRuntimeENV
    base_url: str
    username: str | None
    password: str | None

    def __repr__(self) -> str:  # the password never appears in reprs or logs
        return (
            f"ClientSettings(env={self.env.name}, runtime_env={self.runtime_env.name}, "
            f"base_url={self.base_url!r}, username={self.username!r}, password=***)"
        )


def resolve_env(env: MLSENV | str | None) -> MLSENV:
    if env is not None:
        return coerce_enum(MLSENV, env, "env")
    for var in ("MLS_ENV", "AWS_ENV"):
        if os.environ.get(var):
            return coerce_enum(MLSENV, os.environ[var], f"${var}")
    return MLSENV.STG


def resolve_runtime_env(runtime_env: MLSRuntimeENV | str | None) -> MLSRuntimeENV:
    if runtime_env is not None:
        return coerce_enum(MLSRuntimeENV, runtime_env, "runtime_env")
    for var in ("MLS_RUNTIME_ENV", "MLS_RUNTINE_ENV"):
        if os.environ.get(var):
            return coerce_enum(MLSRuntimeENV, os.environ[var], f"${var}")
    hostname = os.environ.get("HOSTNAME", "").lower()
    if hostname.startswith("bdp-dmi"):
        return MLSRuntimeENV.YE
    if hostname.startswith("vm-skt"):
        return MLSRuntimeENV.EDD
    return MLSRuntimeENV.LOCAL


def resolve_base_url(env: MLSENV, runtime_env: MLSRuntimeENV, base_url: str | None, api: API = API.AB) -> str:
    """``base_url``, else ``$MLS_BASE_URL``, else the local server for ``LOCAL``, else the platform's host."""
    url = base_url or os.environ.get("MLS_BASE_URL")
    if url:
        return url.rstrip("/")
    if env is MLSENV.LOCAL:
        return DEFAULT_LOCAL_URL
    return platform_url(runtime_env.value, env.value, api)


def _credential(value: str | None, var: str, name: str, required: bool) -> str | None:
    if value is not None and not isinstance(value, str):
        raise MLSConfigError(f"{name} must be a str, got {type(value).__name__}")
    value = value if value is not None else os.environ.get(var)
    if required and not value:
        raise MLSConfigError(f"{name} is required: pass {name}=... or set ${var}")
    return value


def resolve_settings(
    env: MLSENV | str | None = None,
    runtime_env: MLSRuntimeENV | str | None = None,
    username: str | None = None,
    password: str | None = None,
    base_url: str | None = None,
    *,
    credentials_required: bool = True,
    api: API = API.AB,
) -> ClientSettings:
    """Resolve a client's settings from arguments, then ``$MLS_*`` variables, then defaults.

    On the MMS runtime no account is needed, as in the original SDK.
    """
    resolved_env = resolve_env(env)
    resolved_runtime = resolve_runtime_env(runtime_env)
    if resolved_runtime is MLSRuntimeENV.MMS:
        credentials_required = False
    return ClientSettings(
        env=resolved_env,
        runtime_env=resolved_runtime,
        base_url=resolve_base_url(resolved_env, resolved_runtime, base_url, api),
        username=_credential(username, "MLS_USERNAME", "username", credentials_required),
        password=_credential(password, "MLS_PASSWORD", "password", credentials_required),
    )
