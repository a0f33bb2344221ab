"""``EurekaModel``: a ``GenericLogicModel`` trained on AutoGluon's presets whose postprocessing may be code.

With ``use_logic_processer="Y"`` (the default) both steps are logic, as in
``GenericLogicModel``. With ``"N"`` the postprocessing is a ``Handler(data)`` function, or an object with a
``Handler(data)`` callable, fed with the features, ``y`` and the profile values named in
``postprocessing_user_profile`` (``{profile_id: [keys]}``, read for ``user_id``) and
``postprocessing_item_profile`` (``{profile_id: {item_id: [keys]}}``; an item id
``"x.name"`` reads the item whose id is the value of ``name``); the lookups run
concurrently. ``Handler`` answers one item (``id``, ``name``, ``type``, ``props``) or
nothing.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import anyio

from mls_async.logic._deadline import within_deadline
from mls_async.models._base import MLSModelError
from mls_async.models._generic import MLSGenericModel
from mls_async.models._trainable_custom import MLSTrainableCustom
from mls_async.models.contrib._logic_steps import (
    check_logic,
    check_predict_fn,
    logic_inputs,
    model_output,
    processor_for,
    run_logic,
)
from mls_async.models.contrib.generic_logic import default_postprocess

__all__ = ["EurekaModel", "ITEM_FIELDS"]

ITEM_FIELDS = ("id", "name", "type", "props")
_OWNER = "EurekaModel"


def _check_profiles(user_profiles: Any, item_profiles: Any) -> None:
    if not isinstance(user_profiles, dict):
        raise MLSModelError(f"{_OWNER}: postprocessing_user_profile must be a dict of profile id -> keys")
    for profile_id, keys in user_profiles.items():
        if not isinstance(profile_id, str) or not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise MLSModelError(f"{_OWNER}: postprocessing_user_profile[{profile_id!r}] must be a list of str keys")
    if not isinstance(item_profiles, dict):
        raise MLSModelError(f"{_OWNER}: postprocessing_item_profile must be a dict of profile id -> {{item id: keys}}")
    for profile_id, items in item_profiles.items():
        if not isinstance(profile_id, str) or not isinstance(items, dict):
            raise MLSModelError(f"{_OWNER}: postprocessing_item_profile[{profile_id!r}] must be a dict")
        for item_id, keys in items.items():
            if not isinstance(item_id, str) or not isinstance(keys, list):
                raise MLSModelError(
                    f"{_OWNER}: postprocessing_item_profile[{profile_id!r}][{item_id!r}] must be a list of keys"
                )


def _handler(postprocess: Any) -> Any:
    """``postprocess.Handler`` (a module or class, as the original takes), or ``postprocess`` if it is a function."""
    handler = getattr(postprocess, "Handler", None)
    if callable(handler):
        return handler
    return postprocess if callable(postprocess) else None


async def _call(method: Any, **kwargs: Any) -> Any:
    result = method(**kwargs)
    return await result if inspect.isawaitable(result) else result


class EurekaModel(MLSGenericModel, MLSTrainableCustom):
    """Preprocess logic -> ``models[0].<predict_fn>`` -> postprocess logic or ``Handler``."""

    def __init__(
        self,
        model_name: str,
        model_version: str,
        features: list[str],
        model: Any = None,
        preprocess_logic: dict[str, Any] | None = None,
        postprocess_logic: Any = None,
        predict_fn: str = "predict",
        data: dict[str, Any] | None = None,
        postprocessing_user_profile: dict[str, list[str]] | None = None,
        postprocessing_item_profile: dict[str, dict[str, list[str]]] | None = None,
        use_logic_processer: str = "Y",
    ) -> None:
        data = {} if data is None else data
        user_profiles = {} if postprocessing_user_profile is None else postprocessing_user_profile
        item_profiles = {} if postprocessing_item_profile is None else postprocessing_item_profile
        if not isinstance(features, list):
            raise MLSModelError(f"{_OWNER}: features must be a list, got {type(features).__name__}")
        preprocess_logic = {"merge": [{"var": f} for f in features]} if preprocess_logic is None else preprocess_logic
        check_logic(preprocess_logic, "preprocess_logic")
        if not isinstance(use_logic_processer, str):
            raise MLSModelError(f"{_OWNER}: use_logic_processer must be 'Y' or 'N'")
        if use_logic_processer == "N":
            if postprocess_logic is not None and _handler(postprocess_logic) is None:
                raise MLSModelError(
                    f"{_OWNER}: with use_logic_processer='N', postprocess_logic must be a "
                    "Handler(data) function or have one"
                )
        else:
            postprocess_logic = default_postprocess() if postprocess_logic is None else postprocess_logic
            check_logic(postprocess_logic, "postprocess_logic")
        check_predict_fn(predict_fn)
        if not isinstance(data, dict):
            raise MLSModelError(f"{_OWNER}: data must be a dict, got {type(data).__name__}")
        _check_profiles(user_profiles, item_profiles)
        super().__init__([model], model_name, model_version, features)
        self.preprocess_logic = preprocess_logic
        self.postprocess_logic = postprocess_logic
        self.predict_fn = predict_fn
        self.data = data
        self.postprocessing_user_profile = user_profiles
        self.postprocessing_item_profile = item_profiles
        self.use_logic_processer = use_logic_processer

    def _ml_predict(self, row: Any) -> Any:
        return model_output(self, 0, self.predict_fn, row, _OWNER)

    async def predict_async(self, x: list[Any], **kwargs: Any) -> dict[str, Any]:
        """Predict for ``x``; ``deadline=`` (seconds) bounds the whole prediction, lookups included."""
        deadline = kwargs.pop("deadline", None)
        if deadline is not None:
            # this method again, without the deadline, as a subclass calling it would run it
            return await within_deadline(
                deadline, f"{self.model_name} prediction", EurekaModel.predict_async(self, x, **kwargs)
            )
        processor = processor_for(self, kwargs)
        data = logic_inputs(_OWNER, list(self.features or []), x, kwargs.get("keys"), self.data)
        row = await run_logic(processor, self.preprocess_logic, data, _OWNER, "preprocessing")
        data["y"] = self._ml_predict(row)
        data.update(self.data)
        if self.use_logic_processer != "N":
            items = await run_logic(processor, self.postprocess_logic, data, _OWNER, "postprocessing")
            return {"items": items or []}
        await self._read_profiles(data, kwargs.get("pf_client"))
        return {"items": self._handled(data)}

    def _item_lookups(self, data: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
        lookups = []
        for profile_id, items in self.postprocessing_item_profile.items():
            for item_id, keys in items.items():
                if "." in item_id:
                    name = item_id.split(".")[1]
                    if name not in data:
                        raise MLSModelError(
                            f"{_OWNER}: item profile {profile_id!r} reads the item named by "
                            f"{name!r}, which no user profile or feature gave"
                        )
                    item_id = data[name]
                lookups.append((profile_id, item_id, keys))
        return lookups

    async def _read_profiles(self, data: dict[str, Any], pf_client: Any) -> None:
        if not self.postprocessing_user_profile and not self.postprocessing_item_profile:
            return
        if pf_client is None:
            raise MLSModelError(f"{_OWNER}: profile postprocessing needs pf_client=")
        try:
            users = await _gathered(
                [
                    functools.partial(
                        _call, pf_client.get_user_profile, profile_id=profile_id, user_id=data["user_id"], keys=keys
                    )
                    for profile_id, keys in self.postprocessing_user_profile.items()
                ]
            )
            for profile_id, values in zip(self.postprocessing_user_profile, users):
                if None in values.values():
                    raise MLSModelError(f"user profile {profile_id!r} lacks values for {values}")
                data.update(values)
            lookups = self._item_lookups(data)
            items = await _gathered(
                [
                    functools.partial(
                        _call, pf_client.get_item_profile, profile_id=profile_id, item_id=item_id, keys=keys
                    )
                    for profile_id, item_id, keys in lookups
                ]
            )
            for (profile_id, _, _), values in zip(lookups, items):
                if None in values.values():
                    raise MLSModelError(f"item profile {profile_id!r} lacks values for {values}")
                data.update(values)
        except Exception as exc:
            raise MLSModelError(f"{_OWNER}: profile postprocessing failed: {type(exc).__name__}: {exc}") from exc

    def _handled(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        try:
            handler = _handler(self.postprocess_logic)
            if handler is None:
                raise MLSModelError("postprocess_logic has no Handler(data)")
            result = handler(data)
        except Exception as exc:
            raise MLSModelError(f"{_OWNER}: postprocessing failed: {type(exc).__name__}: {exc}") from exc
        if not result:
            return []
        if not isinstance(result, dict) or set(result) != set(ITEM_FIELDS):
            raise MLSModelError(
                f"{_OWNER}: Handler must answer a dict with exactly {', '.join(ITEM_FIELDS)}, got {result!r:.200}"
            )
        return [result]


async def _gathered(calls: list[Callable[[], Awaitable[Any]]]) -> list[Any]:
    """Run ``calls`` concurrently (on asyncio or trio): their results in order, or the first failure by position."""
    results: list[Any] = [None] * len(calls)
    errors: dict[int, Exception] = {}

    async def one(index: int) -> None:
        try:
            results[index] = await calls[index]()
        except Exception as exc:
            errors[index] = exc

    async with anyio.create_task_group() as group:
        for index in range(len(calls)):
            group.start_soon(one, index)
    if errors:
        raise errors[min(errors)]
    return results
