"""Request bodies of the protocol: the client builds them, the local server validates them."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mls_async._libraries import MODEL_LIBS

__all__ = [
    "MODEL_LIBS",
    "MANUAL_MODEL_FIELDS",
    "NAME_PATTERN",
    "MODEL_NAME_PATTERN",
    "MODEL_VERSION_PATTERN",
    "CreateModelRequest",
    "UpdateModelRequest",
    "ComponentRequest",
    "CreateDatasetRequest",
    "UploadDatasetRequest",
    "FeatureStoreConfBody",
    "LabelDataConfBody",
    "ColumnSpec",
    "ColumnSpecsRequest",
    "HandlerRequest",
    "MetaMergeRequest",
    "CreateTableRequest",
    "DynamoDBRequest",
    "PredictRequest",
    "FeatureBatchRequest",
]

NAME_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$"  # no path separators, no "." or ".."
# What MLSModel (and so the model registry) accepts, as the original SDK's model classes do.
MODEL_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_]+_model$")
MODEL_VERSION_PATTERN = re.compile(r"^[A-Za-z0-9_]+$")


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


# A manual model's own fields, in the order the model API's methods take them (not its name,
# version or components): what an update sends unchanged unless given.
MANUAL_MODEL_FIELDS: tuple[str, ...] = tuple(
    name for name in _ModelFields.model_fields if name not in ("name", "version", "components")
)


class CreateModelRequest(_ModelFields):
    model_type: Literal["automl", "manual"]
    dataset_id: int | None = None


class UpdateModelRequest(_ModelFields):
    model_type: Literal["automl", "manual"] = "manual"


class ComponentRequest(_Body):
    name: str = Field(pattern=NAME_PATTERN, max_length=200)
    info: Any = None
    is_latest: bool = True


ProblemTypeName = Literal["score", "classification", "regression"]


class UploadDatasetRequest(_Body):
    """Query of ``POST /api/v1/datasets/upload`` (a file as the body; beyond the original protocol)."""

    name: str = Field(pattern=NAME_PATTERN, max_length=200)
    type: ProblemTypeName = "classification"
    label: str
    data_format: Literal["csv", "parquet"] = "csv"


class FeatureStoreConfBody(BaseModel):
    """Which feature groups of the feature store join the label data."""

    model_config = ConfigDict(extra="allow")
    enabled: bool | None = None
    feature_group_id_list: list[int] | None = None
    n_label_ratio: float | None = None


class LabelDataConfBody(BaseModel):
    """Where the label data comes from: a ``table`` or a ``file``."""

    model_config = ConfigDict(extra="allow")
    source_type: str | None = None
    source_path: str | None = None


class CreateDatasetRequest(_Body):
    """The original's ``POST /api/v1/datasets``: an AutoML dataset described by its configs."""

    name: str = Field(pattern=NAME_PATTERN, max_length=200)
    type: ProblemTypeName
    base_feature_conf: FeatureStoreConfBody
    label_data_conf: LabelDataConfBody


class ColumnSpec(_Body):
    include: bool | None = None
    type_code: Literal["FLOAT64", "CATEGORY"] | None = None


class ColumnSpecsRequest(_Body):
    """``PUT /api/v1/datasets/{id}/columnspecs``: ``{"edit_columns": {column: spec}}``."""

    edit_columns: dict[str, ColumnSpec]


class MetaMergeRequest(_Body):
    """``PATCH /api/v1/models/{id}/model_meta``: keys merged into the stored meta (beyond the original)."""

    model_meta: dict[str, Any]


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


class MetaTableRequest(_Body):
    """Create or update a meta table (``/api/v1/meta_tables``)."""

    name: str = Field(min_length=1, max_length=200)
    schema_: dict[str, Any] = Field(alias="schema")
    description: str | None = None


class MetaItemRequest(_Body):
    """Create or update one meta item; an update also carries the item's ``id``, as the original sends it."""

    id: int | None = None
    name: str = Field(min_length=1, max_length=200)
    values: dict[str, Any]


class MetaItemsBulkRequest(_Body):
    items: dict[str, dict[str, Any]] = Field(max_length=1000)


class VertexRequest(_Body):
    id: str = Field(min_length=1, max_length=500)
    label: str = Field(min_length=1, max_length=200)
    properties: dict[str, Any] = Field(default_factory=dict)


class EdgeRequest(_Body):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    frm: str = Field(alias="from", min_length=1, max_length=500)
    to: str = Field(min_length=1, max_length=500)
    label: str = Field(min_length=1, max_length=200)
    properties: dict[str, Any] = Field(default_factory=dict)


class PropertiesRequest(_Body):
    properties: dict[str, Any] = Field(default_factory=dict)


class BatchPredictionRequest(_Body):
    """``POST /api/v1/models/{id}/predictions``: an AutoML batch prediction job, as the original sends it."""

    channel: Literal["EMAIL", "TOS", "EDD", "YE"]
    email_channel_config: dict[str, Any] | None = None
    tos_channel_config: dict[str, Any] | None = None
    edd_channel_config: dict[str, Any] | None = None
    ye_channel_config: dict[str, Any] | None = None
    score_export_option: dict[str, Any] | None = None
    period: str | None = None
    custom_feature_source_config: dict[str, Any] | None = None
