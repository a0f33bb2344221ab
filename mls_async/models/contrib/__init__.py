"""Ready-made models built on the MLSModel family: every contrib model of the original SDK."""

from mls_async.models.contrib.conditional_generic_logic import ConditionalGenericLogicModel
from mls_async.models.contrib.defaults import (
    DefaultCatBoostModel,
    DefaultGenericModel,
    DefaultLightGBMModel,
    DefaultXGBoostModel,
)
from mls_async.models.contrib.device import CatboostDeviceModel, CommbotCatboostDeviceModel, LightGBMDeviceModel
from mls_async.models.contrib.eureka import EurekaModel
from mls_async.models.contrib.generic_context import GenericContextModel
from mls_async.models.contrib.generic_logic import GenericLogicModel
from mls_async.models.contrib.rules import (
    InfoDefectRuleModel,
    InfoUnpaidRuleModel,
    TwRandomGreetingRuleModel,
    VasXcloudRuleModel,
)
from mls_async.models.contrib.samples import SampleGenericModel, SampleModel, SamplePyTorchModel, SampleRuleModel

__all__ = [
    "CatboostDeviceModel",
    "CommbotCatboostDeviceModel",
    "ConditionalGenericLogicModel",
    "DefaultCatBoostModel",
    "DefaultGenericModel",
    "DefaultLightGBMModel",
    "DefaultXGBoostModel",
    "EurekaModel",
    "GenericContextModel",
    "GenericLogicModel",
    "InfoDefectRuleModel",
    "InfoUnpaidRuleModel",
    "LightGBMDeviceModel",
    "SampleGenericModel",
    "SampleModel",
    "SamplePyTorchModel",
    "SampleRuleModel",
    "TwRandomGreetingRuleModel",
    "VasXcloudRuleModel",
]
