"""The steps that logic-driven models share: inputs for the logic, running the logic, the model call.

They follow the original's ``GenericLogicModel`` family: features whose value is None or
``[]`` are left out of the logic's data (so ``var`` defaults apply), ``additional_keys``
are the request's ``keys`` and the model's ``data`` overrides both; a model's output
for one row is that row's output, and PyTorch models are called on a float tensor
whatever ``predict_fn`` says.
"""

from __future__ import annotations

from typing import Any, cast

from mls_async.logic import ALLOWED_TOP_LEVEL, LogicError, LogicProcessor, validate_logic
from mls_async.logic.processor import on_asyncio
from mls_async.models import libraries
from mls_async.models._base import MLSModelError

__all__ = [
    "PREDICT_FNS",
    "check_logic",
    "check_predict_fn",
    "logic_inputs",
    "model_output",
    "predict_rows",
    "processor_for",
    "reads_keys",
    "run_logic",
    "single_output",
]

PREDICT_FNS = ("predict", "predict_proba", "none")


def check_logic(logic: Any, name: str) -> None:
    """A dict whose operator is known and whose whole tree is valid, else ``MLSModelError``."""
    if not isinstance(logic, dict):
        raise MLSModelError(f"{name} must be a dict logic such as {{'merge': [...]}}, got {type(logic).__name__}")
    unknown = [key for key in logic if key not in ALLOWED_TOP_LEVEL]
    if unknown:
        raise MLSModelError(f"{name} has unknown top-level operators {unknown}")
    try:
        validate_logic(logic, name)
    except LogicError as exc:
        raise MLSModelError(str(exc)) from exc


def check_predict_fn(predict_fn: Any, name: str = "predict_fn") -> None:
    if predict_fn not in PREDICT_FNS:
        raise MLSModelError(f"{name}={predict_fn!r} is not valid; use one of: {', '.join(PREDICT_FNS)}")


def logic_inputs(
    owner: str, features: list[str], x: Any, keys: Any, data: dict[str, Any], *, keys_read: bool = True
) -> dict[str, Any]:
    """The logic's data: present feature values, ``additional_keys``, then the model's static ``data``.

    With ``keys_read`` False (no logic of the model can read ``additional_keys``) and no
    ``keys``, the empty list is left out: nothing can tell, and a dict of plain values
    is one the garbage collector does not track.
    """
    if not isinstance(x, (list, tuple)):
        raise MLSModelError(f"{owner}: x must be a list of feature values, got {type(x).__name__}")
    if len(x) != len(features):
        raise MLSModelError(f"{owner}: x has {len(x)} values but the model has {len(features)} features")
    inputs = {
        name: value
        for name, value in zip(features, x)
        if value is not None and not (isinstance(value, list) and not value)
    }
    if keys is not None or keys_read:
        inputs["additional_keys"] = keys if keys is not None else []
    inputs.update(data)
    return inputs


def processor_for(model: Any, kwargs: dict[str, Any]) -> LogicProcessor:
    """A processor over the request's clients, sharing the model's compiled logic.

    The last one made is reused while the clients are the same ones (it holds no state
    of a prediction): concurrent predictions then share one instead of each holding its own.
    """
    pf, graph, dynamodb = kwargs.get("pf_client"), kwargs.get("graph_client"), kwargs.get("dynamodb_client")
    last = model.__dict__.get("_cache_processor")
    if last is not None and last[0][0] is pf and last[0][1] is graph and last[0][2] is dynamodb:
        return cast("LogicProcessor", last[1])
    clients = (pf, graph, dynamodb)
    processor = LogicProcessor(*clients, cache=model.__dict__.setdefault("_cache_logic", {}))
    model.__dict__["_cache_processor"] = (clients, processor)
    return processor


def reads_keys(processor: LogicProcessor, *logics: Any) -> bool:
    """Whether any of ``logics`` may read ``additional_keys`` (a malformed one counts: it fails where it runs)."""
    for logic in logics:
        try:
            reads = processor.compiled(logic).reads
        except LogicError:
            return True
        if reads is None or "additional_keys" in reads:
            return True
    return False


async def run_logic(processor: LogicProcessor, logic: Any, data: dict[str, Any], owner: str, step: str) -> Any:
    """``logic`` on ``data``; a failure names the model and the step.

    The compiled function is called here rather than through ``evaluate``: at thousands of
    concurrent predictions each coroutine layer less is memory the garbage collector scans.
    """
    try:
        if not on_asyncio():  # trio: the logic's portable form
            return await processor.evaluate(logic, data)
        compiled = processor.compiled(logic)
        value = compiled.run(processor, data)
        return await value if compiled.is_async else value
    except Exception as exc:
        raise MLSModelError(f"{owner}: {step} failed: {type(exc).__name__}: {exc}") from exc


def predict_rows(
    model: Any, model_lib: str | None, predict_fn: str, rows: list[Any], columns: list[str] | None = None
) -> Any:
    """``predict_fn`` of ``model`` on ``rows``: one output per row, as ``model_lib``'s object predicts on rows."""
    return libraries.for_lib(model_lib).predict_rows(model, predict_fn, rows, columns)


def single_output(output: Any) -> Any:
    """As the original answers: the only row's output alone, every row's otherwise, as plain Python."""
    if len(output) == 1:
        output = output[0]
    return output.tolist() if hasattr(output, "tolist") else output


def model_output(model: Any, index: int, predict_fn: str, row: Any, owner: str) -> Any:
    """The original's model step for ``model.models[index]``: None for ``predict_fn="none"``
    (PyTorch models always predict), else one row's output alone, errors named for ``owner``."""
    if predict_fn == "none" and not libraries.for_lib(model.model_lib).calls_model:
        return None
    try:
        rows = row if isinstance(row[0], list) else [row]
        columns = [f for f in model.features or [] if f not in getattr(model, "non_training_features", [])]
        return single_output(predict_rows(model.models[index], model.model_lib, predict_fn, rows, columns))
    except Exception as exc:
        raise MLSModelError(f"{owner}: the prediction of models[{index}] failed: {type(exc).__name__}: {exc}") from exc
