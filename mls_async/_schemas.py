"""Request bodies of the protocol: the client builds them, the local server validates them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "MODEL_LIBS",
    "NAME_PATTERN",
    "CreateModelRequest",
    "UpdateModelRequest",
    "ComponentRequest",
    "CreateDatasetRequest",
    "HandlerRequest",
    "CreateTableRequest",
    "DynamoDBRequest",
    "PredictRequest",
    "FeatureBatchRequest",
]

MODEL_LIBS = ("sklearn", "xgboost", "lightgbm", "catboost", "rule", "etc", "pytorch", "autogluon")
NAME_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$"  # no path separators, no "." or ".."


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _ModelFields(_Body):
    name: str = Field(pattern=NAME_PATTERN, max_length=200)
    version: str = Field(pattern=NAME_PATTERN, max_length=100)
    description: str | None = None
    creator: str | None = None
    model_lib: Literal[MODEL_LIBS] | None = None  # type: ignore[valid-type]
    model_data: str | None = None
    model_meta: dict[str, Any] | None = None
    features: str | None = None
    table: str | None = Field(default=None, pattern=NAME_PATTERN)
    components: list[str] | None = None


class CreateModelRequest(_ModelFields):
    model_type: Literal["automl", "manual"]
    dataset_id: int | None = None


class UpdateModelRequest(_ModelFields):
    model_type: Literal["automl", "manual"] = "manual"


class ComponentRequest(_Body):
    name: str = Field(pattern=NAME_PATTERN, max_length=200)
    info: Any = None
    is_latest: bool = True


class CreateDatasetRequest(_Body):
    name: str = Field(pattern=NAME_PATTERN, max_length=200)
    type: Literal["score", "classification", "regression"] = "classification"
    label: str
    data_format: Literal["csv", "parquet"] = "csv"


class HandlerRequest(_Body):
    handler: str


class CreateTableRequest(_Body):
    table_name: str = Field(pattern=NAME_PATTERN, max_length=200)
    key: str = "id"


class DynamoDBRequest(_Body):
    type: Literal["get", "put", "update", "delete"]
    table_name: str = Field(pattern=NAME_PATTERN, max_length=200)
    body: dict[str, Any]


class PredictRequest(_Body):
    x: list[Any] | dict[str, Any]
    kwargs: dict[str, Any] = Field(default_factory=dict)


class FeatureBatchRequest(_Body):
    ids: list[str] = Field(min_length=1, max_length=10000)
    keys: list[str] | None = None
