"""The names of ``sktmls.models``: model clients, model entities and the MLSModel family."""

from mls_async._async.model_client import AsyncMLModelClient
from mls_async._entities import AutoMLModel, ManualModel, MLModel, MLModelStatus
from mls_async._sync.model_client import MLModelClient
from mls_async.models._base import MLSModel, MLSModelError
from mls_async.models._generic import MLSGenericModel, MLSRuleModel
from mls_async.models._trainable import MLSTrainable
from mls_async.models._trainable_custom import MLSTrainableCustom
from mls_async.models._wrappers import MLSCatBoostModel, MLSLightGBMModel, MLSPyTorchModel, MLSXGBoostModel

__all__ = [
    "AsyncMLModelClient",
    "AutoMLModel",
    "MLModel",
    "MLModelClient",
    "MLModelStatus",
    "MLSCatBoostModel",
    "MLSGenericModel",
    "MLSLightGBMModel",
    "MLSModel",
    "MLSModelError",
    "MLSPyTorchModel",
    "MLSRuleModel",
    "MLSTrainable",
    "MLSTrainableCustom",
    "MLSXGBoostModel",
    "ManualModel",
]
