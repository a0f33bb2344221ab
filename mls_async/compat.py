"""Loading what the original SDK saved: ``model.joblib`` files that pickle ``sktmls`` classes.

A pickle names each object's class by module and name (``sktmls.models.contrib.
generic_logic_model.GenericLogicModel``). :func:`load_sktmls` unpickles such a file
with every ``sktmls`` model module standing for ours, so each object comes back as the
matching mls_async class with its state as the original stored it. A user's own
subclass (``class MyModel(MLSLightGBMModel)`` in ``my_models.py``) loads too when its
module is importable: while loading, its ``from sktmls.models import ...`` gets ours.
"""

from __future__ import annotations

import sys
import threading
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mls_async._artifacts import set_model_loader
from mls_async._exceptions import ModelRegistryError

__all__ = ["SKTMLS_CLASSES", "load_sktmls", "sktmls_aliases"]

# The original's module -> the names it defines that a saved model may reference.
_MODEL_BASES = (
    "MLSModel",
    "MLSModelError",
    "MLSLightGBMModel",
    "MLSXGBoostModel",
    "MLSCatBoostModel",
    "MLSRuleModel",
    "MLSGenericModel",
    "MLSPyTorchModel",
)
_CONTRIB = {
    "default_model": ("DefaultLightGBMModel", "DefaultXGBoostModel", "DefaultCatBoostModel", "DefaultGenericModel"),
    "sample_model": ("SampleModel",),
    "sample_rule_model": ("SampleRuleModel",),
    "sample_generic_model": ("SampleGenericModel",),
    "sample_pytorch_model": ("SamplePyTorchModel",),
    "info_unpaid_rule_model": ("InfoUnpaidRuleModel",),
    "info_defect_rule_model": ("InfoDefectRuleModel",),
    "vas_xcloud_rule_model": ("VasXcloudRuleModel",),
    "tw_random_greeting_rule_model": ("TwRandomGreetingRuleModel",),
    "generic_context_model": ("GenericContextModel",),
    "generic_logic_model": ("GenericLogicModel",),
    "conditional_generic_logic_model": ("ConditionalGenericLogicModel",),
    "lightgbm_device_model": ("LightGBMDeviceModel",),
    "catboost_device_model": ("CatboostDeviceModel",),
    "commbot_catboost_device_model": ("CommbotCatboostDeviceModel",),
    "eureka_model": ("EurekaModel",),
}
SKTMLS_CLASSES: dict[str, tuple[str, ...]] = {
    "sktmls.models.mls_model": _MODEL_BASES,
    "sktmls.models.mls_trainable": ("MLSTrainable",),
    "sktmls.models.mls_trainable_custom": ("MLSTrainableCustom",),
    "sktmls.models": (*_MODEL_BASES, "MLSTrainable", "MLSTrainableCustom"),
    "sktmls.models.contrib": tuple(name for names in _CONTRIB.values() for name in names),
    **{f"sktmls.models.contrib.{module}": names for module, names in _CONTRIB.items()},
    "sktmls.meta_tables.meta_table": ("MetaTable", "MetaItem"),
    "sktmls.meta_tables": ("MetaTable", "MetaItem"),
    "sktmls": ("MLSENV", "MLSRuntimeENV"),
}
_LOCK = threading.RLock()
_CUSTOM_PREDICT = "predict_async.py"


def _ours(name: str) -> Any:
    import mls_async._config
    import mls_async.meta_tables
    import mls_async.models
    import mls_async.models.contrib

    for module in (mls_async.models, mls_async.models.contrib, mls_async.meta_tables, mls_async._config):
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(name)


def _shim(module_name: str) -> types.ModuleType:
    module = types.ModuleType(module_name, f"mls_async standing for {module_name} while a saved model loads")
    for name in SKTMLS_CLASSES[module_name]:
        setattr(module, name, _ours(name))
    module.__path__ = []  # a package, so that its submodules resolve
    return module


@contextmanager
def sktmls_aliases() -> Iterator[None]:
    """While active, ``sktmls`` model modules are ours (the real ones, if imported, come back after)."""
    with _LOCK:
        saved = {name: sys.modules.get(name) for name in SKTMLS_CLASSES}
        try:
            for name in SKTMLS_CLASSES:
                sys.modules[name] = _shim(name)
            yield
        finally:
            for name, module in saved.items():
                if module is None:
                    sys.modules.pop(name, None)
                else:
                    sys.modules[name] = module


def _restore(model: Any, directory: Path) -> Any:
    """What the original kept beside model.joblib: a TorchScript binary, a custom predict_async.py."""
    from mls_async.models.libraries import for_lib

    model_lib = getattr(model, "model_lib", None)
    if isinstance(model_lib, str):
        for_lib(model_lib).restore(model, directory)
    custom = directory / _CUSTOM_PREDICT
    if (
        getattr(model, "custom_predict_async", None) is None
        and hasattr(model, "load_custom_predict_async")
        and custom.is_file()
    ):
        model.load_custom_predict_async(custom)
    return model


def load_sktmls(path: str | Path) -> Any:
    """Load a model the original SDK saved (its ``model.joblib``, or the version directory holding it)."""
    import joblib

    target = Path(path)
    binary = target / "model.joblib" if target.is_dir() else target
    if not binary.is_file():
        raise ModelRegistryError(f"no model.joblib at {target}")
    try:
        with sktmls_aliases():
            model = joblib.load(binary)
    except (ModuleNotFoundError, AttributeError) as exc:
        raise ModelRegistryError(
            f"{binary} needs a class that cannot be found ({exc}); import the module that "
            "defines your model class first, or make it importable"
        ) from exc
    return _restore(model, binary.parent)


set_model_loader(load_sktmls)  # how the registry unpickles a version: this layer knows the model classes
