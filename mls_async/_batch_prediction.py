"""The options of an AutoML batch prediction job (``sktmls.models.automl``): what to score, how to export.

Their constructors check what the original asserts, raising ``MLSValidationError``; the
request body they make is the original's.
"""

from __future__ import annotations

import re
import warnings
from typing import Any, ClassVar

from mls_async._exceptions import MLSClientError, MLSValidationError

__all__ = [
    "AutoMLPredictionError",
    "CustomFeatureSourceConfig",
    "EDDChannelConfig",
    "EmailChannelConfig",
    "ExportChannelConfig",
    "MAX_TARGET_LIMIT",
    "ScoreExportOption",
    "TOSChannelConfig",
    "YEChannelConfig",
]

MAX_TARGET_LIMIT = 10_000_000
_NAME = re.compile(r"^[A-Za-z0-9_]+$")


class AutoMLPredictionError(MLSClientError):
    """A batch prediction the job cannot run as asked (a score problem without a ScoreExportOption)."""


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise MLSValidationError(message)


class ScoreExportOption:
    """Export every score (``sort=False``), or the ``target_limit`` best (``sort=True``)."""

    def __init__(self, sort: bool, target_limit: int | None = None) -> None:
        _check(isinstance(sort, bool), f"sort must be a bool, got {type(sort).__name__}")
        _check(
            target_limit is None or (isinstance(target_limit, int) and not isinstance(target_limit, bool)),
            f"target_limit must be an int, got {type(target_limit).__name__}",
        )
        if sort:
            _check(target_limit is not None, "sort=True needs target_limit=")
            _check(
                target_limit is not None and target_limit <= MAX_TARGET_LIMIT,
                f"target_limit is at most {MAX_TARGET_LIMIT:,}",
            )
        self.sort = sort
        self.target_limit = target_limit

    def value(self) -> dict[str, Any]:
        return {"sort": self.sort, "target_limit": self.target_limit} if self.sort else {"sort": self.sort}


class CustomFeatureSourceConfig:
    """Score rows from a ``file`` or a ``table`` instead of the model's dataset (``csv``/``edd2``/``ye``: old names)."""

    def __init__(self, source_type: str, source_path: str) -> None:
        _check(
            source_type in ("csv", "edd2", "ye", "file", "table"),
            f"source_type={source_type!r} is not valid; use 'file' or 'table'",
        )
        if source_type == "csv":
            warnings.warn(
                "CustomFeatureSourceConfig: source_type='csv' is deprecated; use 'file'",
                DeprecationWarning,
                stacklevel=2,
            )
            source_type = "file"
        elif source_type in ("edd2", "ye"):
            warnings.warn(
                f"CustomFeatureSourceConfig: source_type={source_type!r} is deprecated; use 'table'",
                DeprecationWarning,
                stacklevel=2,
            )
            source_type = "table"
        _check(isinstance(source_path, str), f"source_path must be a str, got {type(source_path).__name__}")
        self.source_type = source_type
        self.source_path = source_path

    def value(self) -> dict[str, Any]:
        return {"source_type": self.source_type, "source_path": self.source_path}


class ExportChannelConfig:
    """Where the scores of a job go; each channel names its body field (``param_name``)."""

    param_name: ClassVar[str] = ""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def value(self) -> dict[str, Any]:
        """The channel's settings, as the original sends them (without ``channel``)."""
        return {name: value for name, value in vars(self).items() if name != "channel"}


def _strings(**values: Any) -> None:
    for name, value in values.items():
        _check(isinstance(value, str), f"{name} must be a str, got {type(value).__name__}")


class EmailChannelConfig(ExportChannelConfig):
    param_name = "email_channel_config"

    def __init__(self, email: str) -> None:
        super().__init__("EMAIL")
        _strings(email=email)
        self.email = email


class TOSChannelConfig(ExportChannelConfig):
    param_name = "tos_channel_config"

    def __init__(self, employee_num: str, target_group_name: str) -> None:
        super().__init__("TOS")
        _strings(employee_num=employee_num, target_group_name=target_group_name)
        self.employee_num = employee_num
        self.target_group_name = target_group_name


class EDDChannelConfig(ExportChannelConfig):
    param_name = "edd_channel_config"

    def __init__(self, username: str, database: str, table: str) -> None:
        super().__init__("EDD")
        _strings(username=username, database=database, table=table)
        _check(bool(re.match(r"^[a-z][0-9]{7}", username)), f"username={username!r} is not an EDD account")
        _check(bool(_NAME.match(database)), f"database={database!r} is not a valid database name")
        _check(bool(_NAME.match(table)), f"table={table!r} is not a valid table name")
        self.username = username
        self.database = database
        self.table = table


class YEChannelConfig(ExportChannelConfig):
    param_name = "ye_channel_config"

    def __init__(self, username: str, table: str) -> None:
        super().__init__("YE")
        _strings(username=username, table=table)
        _check(bool(_NAME.match(username)), f"username={username!r} is not a valid YE account (or dataset)")
        _check(bool(_NAME.match(table)), f"table={table!r} is not a valid table name")
        self.username = username
        self.table = table
