"""AutoML batch prediction jobs (``sktmls.models.automl``): the client, its options and its entity."""

from mls_async._async.automl_prediction_client import AsyncAutoMLBatchPredictionClient
from mls_async._batch_prediction import (
    AutoMLPredictionError,
    CustomFeatureSourceConfig,
    EDDChannelConfig,
    EmailChannelConfig,
    ExportChannelConfig,
    ScoreExportOption,
    TOSChannelConfig,
    YEChannelConfig,
)
from mls_async._entities import AutoMLBatchPrediction
from mls_async._sync.automl_prediction_client import AutoMLBatchPredictionClient

__all__ = [
    "AsyncAutoMLBatchPredictionClient",
    "AutoMLBatchPrediction",
    "AutoMLBatchPredictionClient",
    "AutoMLPredictionError",
    "CustomFeatureSourceConfig",
    "EDDChannelConfig",
    "EmailChannelConfig",
    "ExportChannelConfig",
    "ScoreExportOption",
    "TOSChannelConfig",
    "YEChannelConfig",
]
