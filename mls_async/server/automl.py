"""AutoML on the local server: training jobs and AutoML model servers.

Creating an AutoML model trains a ``GenericLogicModel`` with ``MLSTrainable.fit`` (the
same code path users run) in a background worker: TRAINING, then DONE or FAILED with
the error in ``automl_model_info``. A started model server answers predictions through
the model's handler: Python source defining ``handler(x, y)`` that turns the input row
``x`` (a dict) and the prediction ``y`` into the response. Handlers are code: only
trusted accounts may set them.
"""

from __future__ import annotations

import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any, cast

from mls_async._artifacts import load_version_dir, replace_dir, write_version_dir
from mls_async.server.errors import Conflicting, InvalidRequest, PredictionFailed, ServiceError
from mls_async.server.scratch import scratch_dir, sweep
from mls_async.server.storage import SQLiteStorage

__all__ = ["AutoMLService", "DEFAULT_HANDLER"]

_STAGING = ".model-"  # scratch directory of a trained model being written

DEFAULT_HANDLER = '''\
def handler(x, y):
    """Turn one prediction into the platform's items: y is the model output for row x."""
    score = y[-1] if isinstance(y, list) else y
    return {"items": [{"id": "automl", "name": "automl", "type": "automl", "props": {"score": score}}]}
'''


def compile_handler(source: str) -> Any:
    namespace: dict[str, Any] = {"__name__": "mls_automl_handler"}
    try:
        exec(compile(source, "<handler>", "exec"), namespace)
    except SyntaxError as exc:
        raise InvalidRequest(f"handler has a syntax error at line {exc.lineno}: {exc.msg}") from exc
    except Exception as exc:
        raise InvalidRequest(f"handler failed to load: {type(exc).__name__}: {exc}") from exc
    function = namespace.get("handler")
    if not callable(function):
        raise InvalidRequest("handler must define a function `handler(x, y)`")
    return function


class AutoMLService:
    def __init__(self, storage: SQLiteStorage, datasets: Any, root: Path, *, time_limit: int, profiles: Any) -> None:
        self._storage = storage
        self._datasets = datasets
        self._root = root
        self._training = root / ".training"  # each training's files, in a scratch directory of its own
        self._training.mkdir(parents=True, exist_ok=True)
        self._time_limit = time_limit
        self._profiles = profiles
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="automl-train")
        self._servers: dict[int, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._recover()

    def _recover(self) -> None:
        """Drop what trainings a crash cut short left, and mark their models FAILED.

        A training holds its scratch directory from submission to its end, so the held ones
        that remain are the live trainings of other server processes (``--workers``).
        """
        sweep(self._training, ("",))
        sweep(self._root, (_STAGING,))
        live = {entry.name.partition("-")[0] for entry in self._training.iterdir()}
        for doc in self._storage.query("model", subkind="automl"):
            if doc.get("status") == "TRAINING" and str(doc["id"]) not in live:
                self._set(
                    doc["id"],
                    status="FAILED",
                    automl_model_info={"error": "the server stopped while the model trained; create it again"},
                )

    # -- training -------------------------------------------------------------------------
    def submit_training(self, model_id: int) -> None:
        scratch = ExitStack()
        work = scratch.enter_context(scratch_dir(self._training, f"{model_id}-"))
        self._executor.submit(self._train, model_id, work, scratch)

    def _set(self, model_id: int, **fields: Any) -> None:
        self._storage.update("model", model_id, lambda current: {**current, **fields})

    def _train(self, model_id: int, work: Path, scratch: ExitStack) -> None:
        with scratch:
            doc = self._storage.get("model", model_id)
            if doc is None:
                return
            try:
                model, info = self.train(doc, work)
                with scratch_dir(self._root, _STAGING) as staging:  # the version appears whole or not at all
                    write_version_dir(model, staging / "version")
                    replace_dir(staging / "version", self._root / str(model_id))
                self._set(
                    model_id,
                    status="DONE",
                    automl_model_info=info,
                    model_meta={"features": model.features, "label": info["label"]},
                )
            except Exception as exc:
                self._set(
                    model_id,
                    status="FAILED",
                    automl_model_info={
                        "error": f"{type(exc).__name__}: {exc}",
                        "traceback": traceback.format_exc(limit=5),
                    },
                )

    def train(self, doc: dict[str, Any], work_dir: Path | None = None) -> tuple[Any, dict[str, Any]]:
        """Fit a GenericLogicModel on the model's dataset; return it and its summary."""
        from mls_async.models.contrib import GenericLogicModel

        dataset = self._datasets.get(doc["dataset_id"])
        frame = self._datasets.frame(doc["dataset_id"])
        label = dataset["label"]
        features = [c for c in frame.columns if c != label]
        if not features:
            raise ValueError(f"dataset {dataset['name']!r} has no feature columns besides the label")
        test = frame.sample(frac=0.25, random_state=0)
        train = frame.drop(test.index)
        regression = dataset["data_type"] == "regression"
        classes = frame[label].nunique()
        metric = "root_mean_squared_error" if regression else ("roc_auc" if classes == 2 else "accuracy")
        model = GenericLogicModel(
            model_name=f"automl_{doc['id']}_model",
            model_version="v1",
            features=features,
            predict_fn="predict" if regression else "predict_proba",
        )
        model.fit(
            train,
            test,
            label=label,
            eval_metric=metric,
            k=20,
            time_limit=self._time_limit,
            work_dir=work_dir or self._training,
            progress=False,
        )
        info = {
            "label": label,
            "features": model.features,
            "performance": model.performance,
            "feature_importance": model.feature_importance,
            "metric": metric,
            **model.model_info,
        }
        return model, info

    # -- model servers --------------------------------------------------------------------
    def start(self, doc: dict[str, Any]) -> str:
        if doc["status"] == "TRAINING":
            raise Conflicting(f"AutoML model {doc['id']} is still training; start its server when it is DONE")
        if doc["status"] != "DONE":
            raise Conflicting(f"AutoML model {doc['id']} failed to train: {doc.get('automl_model_info', {})}")
        try:
            model = load_version_dir(self._root / str(doc["id"]))
            handler = compile_handler(doc.get("handler") or DEFAULT_HANDLER)
        except ServiceError:
            raise
        except Exception as exc:
            with self._lock:
                self._servers[doc["id"]] = {"status": "FAILED", "error": repr(exc)}
            return "FAILED"
        with self._lock:
            self._servers[doc["id"]] = {"status": "RUNNING", "model": model, "handler": handler}
        return "RUNNING"

    def stop(self, model_id: int) -> str:
        with self._lock:
            self._servers[model_id] = {"status": "STOPPED"}
        return "STOPPED"

    def status(self, model_id: int) -> str:
        return cast("str", self._servers.get(model_id, {}).get("status", "STOPPED"))

    def forget(self, model_id: int) -> None:
        with self._lock:
            self._servers.pop(model_id, None)

    async def predict(self, doc: dict[str, Any], x: Any) -> Any:
        server = self._servers.get(doc["id"], {})
        if server.get("status") != "RUNNING":
            raise Conflicting(f"the AutoML model server of model {doc['id']} is not running; start it first")
        model = server["model"]
        if isinstance(x, dict):
            missing = [f for f in model.features if f not in x]
            if missing:
                raise InvalidRequest(f"x lacks the features {missing}")
            row, named = [x[f] for f in model.features], x
        else:
            row, named = x, dict(zip(model.features, x))
        try:
            y = await model.predict_y_async(row)
        except Exception as exc:
            raise PredictionFailed(f"prediction failed: {exc}") from exc
        try:
            return server["handler"](named, y)
        except Exception as exc:
            raise PredictionFailed(f"the handler failed: {type(exc).__name__}: {exc}") from exc

    def handler_source(self, doc: dict[str, Any]) -> str:
        return doc.get("handler") or DEFAULT_HANDLER

    def set_handler(self, doc: dict[str, Any], source: str) -> None:
        handler = compile_handler(source)
        self._storage.update("model", doc["id"], lambda current: {**current, "handler": source})
        with self._lock:
            server = self._servers.get(doc["id"])
            if server and server.get("status") == "RUNNING":
                server["handler"] = handler
