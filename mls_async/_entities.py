"""Typed entities returned by the clients: models, components, datasets.

They keep the original SDK's ``get()`` (a dict) and ``reset(**kwargs)``, and keep any
extra field the server sends instead of rejecting it.
"""

from __future__ import annotations

import warnings
from datetime import datetime
from enum import Enum
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "MLModelStatus",
    "MLModel",
    "AutoMLModel",
    "ManualModel",
    "Component",
    "Dataset",
    "ProblemType",
    "FeatureStoreConf",
    "LabelDataConf",
    "MetaTable",
    "MetaItem",
    "Vertex",
    "Edge",
    "AutoMLBatchPrediction",
]


class MLModelStatus(str, Enum):
    """Lifecycle state of a model on the platform."""

    IN_USE = "IN_USE"
    NOT_IN_USE = "NOT_IN_USE"
    AUTOML_TRAINING = "TRAINING"
    AUTOML_DONE = "DONE"
    AUTOML_FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"

    @classmethod
    def _missing_(cls, value: object) -> MLModelStatus:
        return cls.UNKNOWN


class ProblemType(str, Enum):
    SCORE = "score"
    CLASSIFICATION = "classification"
    REGRESSION = "regression"


class _Entity(BaseModel):
    model_config = ConfigDict(extra="allow", validate_assignment=True, populate_by_name=True)

    def get(self) -> dict[str, Any]:
        """All fields, extras included, as a dict."""
        return self.model_dump()

    def reset(self, **kwargs: Any) -> Self:
        """Set fields in place (validated) and return self."""
        for key, value in kwargs.items():
            setattr(self, key, value)
        return self

    def __str__(self) -> str:
        return str(getattr(self, "name", None) or super().__str__())


class Component(_Entity):
    """A named piece of serving configuration attached to manual models."""

    id: int | None = None
    name: str | None = None
    info: Any = None
    is_latest: bool | None = None
    user: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class MLModel(_Entity):
    """Fields common to every model on the platform."""

    id: int | None = None
    name: str | None = None
    version: str | None = None
    description: str | None = None
    creator: str | None = None
    model_type: Literal["automl", "manual"] | None = None
    table: str | None = None
    model_data: str | None = None
    status: MLModelStatus | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class AutoMLModel(MLModel):
    """A model trained by the platform from a dataset."""

    model_type: Literal["automl", "manual"] | None = "automl"
    model_meta: dict[str, Any] | None = None
    dataset_id: int | None = None
    dataset_name: str | None = None
    automl_model_info: dict[str, Any] | None = None

    def get_error(self) -> str | None:
        """Why training failed (only set for a failed training)."""
        return (self.automl_model_info or {}).get("error")


class ManualModel(MLModel):
    """A model deployment: a registered artifact or batch table made servable."""

    model_type: Literal["automl", "manual"] | None = "manual"
    model_meta: dict[str, Any] | None = None
    components: list[Component] | None = None  # None: the server sent none (kept, as the original does)
    model_lib: str | None = None
    features: str | None = None
    is_enabled: bool | None = None


class FeatureStoreConf(_Entity):
    """Feature store settings of an AutoML dataset: whether, and which feature groups, join the labels.

    ``n_label_ratio`` is the N-label sampling ratio (score problems only).
    """

    enabled: bool | None = None
    feature_group_id_list: list[int] | None = None
    n_label_ratio: float | None = 1.0

    def __init__(
        self,
        enabled: bool | None = None,
        feature_group_id_list: list[int] | None = None,
        n_label_ratio: float | None = 1.0,
        **kwargs: Any,
    ) -> None:
        fields = {"enabled": enabled, "feature_group_id_list": feature_group_id_list, "n_label_ratio": n_label_ratio}
        super().__init__(**fields, **kwargs)

    def __str__(self) -> str:
        return str(self.model_dump())


class LabelDataConf(_Entity):
    """Where an AutoML dataset's label data lives: ``source_type`` ``"file"`` or ``"table"``, and its path."""

    source_type: str | None = None
    source_path: str | None = None

    def __init__(
        self, source_type: str | None = None, source_path: str | None = None, reverse: bool = False, **kwargs: Any
    ) -> None:
        if not reverse:  # built by a user, not read back from the server: check it as the original does
            if source_type not in ("file", "table"):
                raise ValueError(f"source_type={source_type!r} is not valid; use 'file' or 'table'")
            if not isinstance(source_path, str):
                raise ValueError(f"source_path must be a str, got {type(source_path).__name__}")
        super().__init__(**{"source_type": source_type, "source_path": source_path}, **kwargs)

    def __str__(self) -> str:
        return str(self.model_dump())


class Dataset(_Entity):
    """Tabular training data with a label column, for AutoML models."""

    id: int | None = None
    name: str | None = None
    status: str | None = None
    problem_type: ProblemType | None = Field(default=None, alias="data_type")
    label: str | None = None
    columns: list[str] | None = None
    num_rows: int | None = None
    setup_conf: dict[str, Any] | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def get_error(self) -> str | None:
        """Why the dataset could not be prepared (only set when that failed)."""
        return (self.setup_conf or {}).get("error")

    @property
    def feature_store_conf(self) -> FeatureStoreConf:
        conf = (self.setup_conf or {}).get("base_feature_conf") or {}
        return FeatureStoreConf(**conf)

    @property
    def label_data_conf(self) -> LabelDataConf:
        conf = (self.setup_conf or {}).get("label_data_conf") or {}
        return LabelDataConf(reverse=True, **conf)


class MetaItem(_Entity):
    """One named row of a meta table: ``values`` follows the table's schema."""

    id: int | None = None
    name: str | None = None
    values: dict[str, Any] | None = None


with warnings.catch_warnings():
    # `schema` is the platform's field name; it deliberately hides pydantic's deprecated `BaseModel.schema()`.
    warnings.filterwarnings("ignore", message='Field name "schema"', category=UserWarning)

    class MetaTable(_Entity):
        """A named lookup table (device catalogues, say) that models read as ``{name: values}``."""

        id: int | None = None
        name: str | None = None
        description: str | None = None
        schema: dict[str, Any] | None = None  # type: ignore[assignment]
        items: list[dict[str, Any]] | None = None
        user: str | None = None
        created_at: datetime | None = None
        updated_at: datetime | None = None

        def item_values(self) -> dict[str, Any]:
            """``{item name: values}`` of the items this table was fetched with."""
            return {item["name"]: item.get("values") for item in self.items or []}


class Vertex(_Entity):
    """A vertex of the graph API: ``id``, ``label`` and ``properties``."""

    id: str | None = None
    label: str | None = None
    properties: dict[str, Any] | None = None


class Edge(_Entity):
    """An edge of the graph API; its id is ``{from}_{label}_{to}``."""

    id: str | None = None
    label: str | None = None
    properties: dict[str, Any] | None = None


class AutoMLBatchPrediction(_Entity):
    """A batch prediction job of an AutoML model; ``channel`` is what the platform calls its ``name``."""

    id: int | None = None
    channel: str | None = Field(default=None, alias="name")
    status: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def __str__(self) -> str:
        return str(self.id)
