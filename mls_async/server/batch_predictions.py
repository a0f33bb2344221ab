"""AutoML batch prediction jobs of the local server, run on :mod:`mls_async.batch`.

A job scores the model's dataset (or the rows of its ``custom_feature_source_config``:
a batch table, or a file under ``<data-dir>/imports``) in partitions, keeps every score
or the ``target_limit`` best, and writes ``<data-dir>/exports/prediction-{id}.parquet``
(the key column and ``score``). The export channel (email, TOS, EDD, YE) is recorded
with the job: the local server delivers to none of them.
"""

from __future__ import annotations

import asyncio
import threading
import traceback
from pathlib import Path
from typing import Any

from mls_async._artifacts import load_version_dir
from mls_async.server.datasets import KEY_COLUMNS
from mls_async.server.errors import Conflicting, InvalidRequest, NotFound
from mls_async.server.scratch import scratch_dir, sweep
from mls_async.server.storage import SQLiteStorage

__all__ = ["BatchPredictionService"]

KIND = "prediction"
PARTITION_ROWS = 10_000
_WORK = ".prediction-"  # scratch directory of a job being scored, in the exports folder


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": doc["id"],
        "name": doc["channel"],
        "status": doc["status"],
        "created_at": doc["created_at"],
        "updated_at": doc["updated_at"],
        "model_id": doc["model_id"],
        "rows": doc.get("rows"),
        "export": doc.get("export"),
        "error": doc.get("error"),
    }


async def _score_partition(model: Any, frame: Any) -> Any:
    """The predictor's score of each row: the positive class's probability, or the prediction."""
    import numpy as np
    import pandas as pd

    key = frame.columns[0]
    columns = [f for f in model.features if f not in getattr(model, "non_training_features", [])]
    output = await asyncio.to_thread(model._predict_rows, frame[columns].values.tolist())
    scores = np.asarray(output)
    if scores.ndim == 2:
        scores = scores[:, -1] if scores.shape[1] == 2 else scores.max(axis=1)
    return pd.DataFrame({key: frame[key].to_numpy(), "score": scores})


class BatchPredictionService:
    def __init__(self, storage: SQLiteStorage, datasets: Any, automl_root: Path, exports: Path) -> None:
        self._storage = storage
        self._datasets = datasets
        self._automl_root = automl_root
        self._exports = exports
        self._threads: set[threading.Thread] = set()
        sweep(exports, (_WORK,))  # the work of jobs a crash cut short
        for doc in storage.query(KIND):  # a job a crash cut short
            if doc.get("status") == "RUNNING":
                storage.update(
                    KIND,
                    doc["id"],
                    lambda current: {
                        **current,
                        "status": "FAILED",
                        "error": "the server stopped while the job ran; start it again",
                    },
                )

    def submit(self, model: dict[str, Any], body: dict[str, Any], user: str) -> dict[str, Any]:
        if model.get("status") != "DONE":
            raise Conflicting(f"AutoML model {model['id']} is {model.get('status')}; predict once it is DONE")
        dataset = self._datasets.get(model["dataset_id"])
        if dataset.get("data_type") == "score" and not body.get("score_export_option"):
            raise InvalidRequest("a score problem's batch prediction needs score_export_option")
        doc = self._storage.insert(KIND, {**body, "model_id": model["id"], "status": "RUNNING", "user": user})
        thread = threading.Thread(target=self._run, args=(doc["id"],), name=f"prediction-{doc['id']}", daemon=True)
        self._threads.add(thread)
        thread.start()
        return _public(doc)

    def get(self, model_id: int, prediction_id: int) -> dict[str, Any]:
        doc = self._storage.get(KIND, prediction_id)
        if doc is None or doc["model_id"] != model_id:
            raise NotFound(f"no batch prediction {prediction_id} of model {model_id}")
        return _public(doc)

    def _set(self, job_id: int, **fields: Any) -> None:
        self._storage.update(KIND, job_id, lambda current: {**current, **fields})

    def _run(self, job_id: int) -> None:
        try:
            rows = self._score(self._storage.get(KIND, job_id) or {})
            self._set(job_id, status="DONE", rows=rows, export=f"exports/prediction-{job_id}.parquet")
        except Exception as exc:
            self._set(
                job_id, status="FAILED", error=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc(limit=5)
            )
        finally:
            self._threads.discard(threading.current_thread())

    def _frame(self, job: dict[str, Any], dataset_id: int) -> Any:
        custom = job.get("custom_feature_source_config")
        if custom:
            return self._datasets.source_frame(custom.get("source_type"), custom.get("source_path"))
        return self._datasets.rows(dataset_id)

    def _score(self, job: dict[str, Any]) -> int:
        import pandas as pd

        from mls_async.batch import ParquetSink, run_batch_async

        model_doc = self._storage.get("model", job["model_id"])
        if model_doc is None:
            raise ValueError(f"model {job['model_id']} was deleted")
        model = load_version_dir(self._automl_root / str(job["model_id"]))
        frame = self._frame(job, model_doc["dataset_id"])
        key = next((c for c in KEY_COLUMNS if c in frame.columns), None)
        missing = [f for f in model.features if f not in frame.columns]
        if missing:
            raise ValueError(f"the rows to score lack the model's features {missing}")
        if key is None:
            frame = frame.assign(row=range(len(frame)))
            key = "row"
        self._exports.mkdir(parents=True, exist_ok=True)
        with scratch_dir(self._exports, f"{_WORK}{job['id']}-") as work:
            source = work / "input.parquet"
            frame[[key, *model.features]].to_parquet(source, index=False)
            asyncio.run(
                run_batch_async(
                    model,
                    source,
                    ParquetSink(str(work / "parts")),
                    key=key,
                    partition_rows=PARTITION_ROWS,
                    scorer=_score_partition,
                )
            )
            parts = sorted((work / "parts").glob("part-*.parquet"))
            scored = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
            option = job.get("score_export_option") or {}
            if option.get("sort"):
                scored = scored.sort_values("score", ascending=False, kind="stable").head(option["target_limit"])
            target = self._exports / f"prediction-{job['id']}.parquet"
            scored.to_parquet(work / "export.parquet", index=False)
            (work / "export.parquet").replace(target)
            return len(scored)
