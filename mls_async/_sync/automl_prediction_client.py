# Generated from mls_async/_async/automl_prediction_client.py by scripts/unasync.py. Do not edit: edit the source and regenerate.
"""``AutoMLBatchPredictionClient``: batch prediction jobs of AutoML models, exported to a channel.

``predict`` sends what the original sends: it reads the model's dataset (a score
problem needs a ``ScoreExportOption``), then ``POST /api/v1/models/{id}/predictions``
with the channel, its settings and the options. The local server runs the job on
:mod:`mls_async.batch` and writes the export under its data directory.
"""

from __future__ import annotations

from typing import Any

from mls_async._sync.base_client import MLSClient
from mls_async._sync.dataset_client import DATASETS_PATH
from mls_async._sync.model_client import MODELS_PATH, _automl
from mls_async._batch_prediction import (
    AutoMLPredictionError,
    CustomFeatureSourceConfig,
    ExportChannelConfig,
    ScoreExportOption,
)
from mls_async._entities import AutoMLBatchPrediction, AutoMLModel, Dataset, ProblemType
from mls_async._exceptions import DoesNotExist
from mls_async._validation import check_type

__all__ = ["AutoMLBatchPredictionClient"]


class AutoMLBatchPredictionClient(MLSClient):
    """Start batch prediction jobs of AutoML models (and, against the local server, follow them)."""

    def predict(
        self,
        model: AutoMLModel,
        export_channel_config: ExportChannelConfig,
        score_export_option: ScoreExportOption | None = None,
        period: str | None = None,
        custom_feature_source_config: CustomFeatureSourceConfig | None = None,
    ) -> AutoMLBatchPrediction:
        """Score ``model``'s dataset (or ``custom_feature_source_config``'s rows) and export to the channel."""
        model = _automl(model)
        check_type(
            export_channel_config,
            ExportChannelConfig,
            "export_channel_config",
            hint="Use EmailChannelConfig, TOSChannelConfig, EDDChannelConfig or YEChannelConfig.",
        )
        check_type(score_export_option, ScoreExportOption, "score_export_option", optional=True)
        check_type(period, str, "period", optional=True)
        check_type(
            custom_feature_source_config, CustomFeatureSourceConfig, "custom_feature_source_config", optional=True
        )
        # The dataset as the original reads it (DatasetClient.get_dataset(id=...): a listing by id).
        found = (self._request("GET", DATASETS_PATH, params={"id": model.dataset_id})).results or []
        if not found:
            raise DoesNotExist(f"no dataset with id={model.dataset_id} (the dataset of AutoML model {model.name!r})")
        dataset = Dataset(**found[0])
        if dataset.problem_type == ProblemType.SCORE and score_export_option is None:
            raise AutoMLPredictionError(400, "a score problem's batch prediction needs score_export_option=")
        data: dict[str, Any] = {
            "channel": export_channel_config.channel,
            export_channel_config.param_name: export_channel_config.value(),
        }
        if score_export_option is not None:
            data["score_export_option"] = score_export_option.value()
        if period:
            data["period"] = period
        if custom_feature_source_config is not None:
            data["custom_feature_source_config"] = custom_feature_source_config.value()
        path = f"{MODELS_PATH}/{model.id}/predictions"
        return AutoMLBatchPrediction(**(self._request("POST", path, json=data, idempotent=True)).results)

    def get_batch_prediction(
        self, model: AutoMLModel, prediction: AutoMLBatchPrediction | int
    ) -> AutoMLBatchPrediction:
        """A job's state now (``RUNNING``, ``DONE`` or ``FAILED``); a route of the local server."""
        model = _automl(model)
        prediction_id = prediction.id if isinstance(prediction, AutoMLBatchPrediction) else prediction
        check_type(prediction_id, int, "prediction")
        path = f"{MODELS_PATH}/{model.id}/predictions/{prediction_id}"
        return AutoMLBatchPrediction(**(self._request("GET", path)).results)
