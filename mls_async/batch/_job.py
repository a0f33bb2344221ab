"""A batch job: every partition of a source scored by a model and written to a sink, once each.

In process, partitions are read in order and scored one after another, each through the
model with bounded concurrency. On Dask (``scheduler=``: ``"local"`` for a
``LocalCluster``, an address, or a ``distributed.Client``), each partition is a task:
a worker reads its slice, scores it and writes it. A task lost with a killed worker runs
again elsewhere; since a partition's output is named by its index (Parquet) or keyed
(tables), running it twice writes the same rows once. A rerun after a crash skips the
Parquet parts already written.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mls_async._extras import needs_extra
from mls_async.batch._score import score_frame
from mls_async.batch._sink import Sink, write_partition
from mls_async.batch._source import Source, open_source

__all__ = ["BatchResult", "ModelRef", "Scorer", "run_batch", "run_batch_async"]

Scorer = Callable[[Any, Any], Awaitable[Any]]


@dataclass(frozen=True)
class ModelRef:
    """A registered version, loaded by each worker once (not shipped with every task)."""

    name: str
    version: str
    client_kwargs: Mapping[str, Any]

    def load(self) -> Any:
        cached = _LOADED.get(self)
        if cached is None:
            from mls_async._sync.registry import ModelRegistry

            with ModelRegistry(**dict(self.client_kwargs)) as registry:
                cached = _LOADED[self] = registry.load(self.name, self.version)
        return cached

    def __hash__(self) -> int:
        return hash((self.name, self.version, tuple(sorted((k, str(v)) for k, v in self.client_kwargs.items()))))


_LOADED: dict[ModelRef, Any] = {}


@dataclass(frozen=True)
class BatchResult:
    partitions: int
    skipped: int
    rows: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def _model(model: Any) -> Any:
    return model.load() if isinstance(model, ModelRef) else model


async def _score_partition(
    model: Any,
    frame: Any,
    key: str,
    features: list[str] | None,
    concurrency: int,
    predict_kwargs: Mapping[str, Any] | None,
    profile_client_kwargs: Mapping[str, Any] | None,
) -> Any:
    kwargs = dict(predict_kwargs or {})
    if profile_client_kwargs is not None and "pf_client" not in kwargs:
        from mls_async._async.profile_client import AsyncMLSProfileAPIClient

        async with AsyncMLSProfileAPIClient(**dict(profile_client_kwargs)) as client:
            return await score_frame(
                model,
                frame,
                key=key,
                features=features,
                concurrency=concurrency,
                predict_kwargs={**kwargs, "pf_client": client},
            )
    return await score_frame(model, frame, key=key, features=features, concurrency=concurrency, predict_kwargs=kwargs)


def _task(
    model: Any,
    source: Source,
    index: int,
    partition_rows: int,
    sink: Sink,
    key: str,
    features: list[str] | None,
    concurrency: int,
    profile_client_kwargs: Mapping[str, Any] | None,
) -> int:
    """One partition on a Dask worker: read, score (its own event loop), write; the rows written."""
    if sink.done(index):
        return 0
    frame = source.read(index, partition_rows)
    scored = asyncio.run(
        _score_partition(_model(model), frame, key, features, concurrency, None, profile_client_kwargs)
    )
    sink.write(index, scored)
    return len(scored)


async def _outlive(writing: asyncio.Future[None]) -> None:
    """Wait until the thread writing a partition has ended, through any cancellation of the job.

    Cancelling the future would not stop its thread: the job returns only once nothing of
    it is left writing (the stop signal makes that the end of the current chunk).
    """
    while not writing.done():
        try:
            await asyncio.wait([writing])
        except asyncio.CancelledError:
            continue  # the job is being cancelled already; it raises that once the write has ended
    if not writing.cancelled():
        writing.exception()  # retrieved: the job's own error (or cancellation) is the one it raises


def _progress(total: int, show: bool, what: str) -> Any:
    if not show:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, desc=what, unit="partition")


async def run_batch_async(
    model: Any,
    source: str | Path | Source,
    sink: Sink,
    *,
    key: str,
    features: list[str] | None = None,
    partition_rows: int = 10_000,
    concurrency: int = 256,
    predict_kwargs: Mapping[str, Any] | None = None,
    profile_client_kwargs: Mapping[str, Any] | None = None,
    progress: bool = False,
    scorer: Scorer | None = None,
) -> BatchResult:
    """Score every partition of ``source`` with ``model`` (an ``MLSModel`` or a :class:`ModelRef`) into ``sink``.

    ``predict_kwargs`` go to each ``predict_async`` (``pf_client=...``, say);
    ``profile_client_kwargs`` make a profile client for the job instead. ``scorer``
    (``async (model, frame) -> frame``) replaces the default scoring of a partition.
    """
    started = time.perf_counter()
    table = source if isinstance(source, Source) else open_source(source)
    scoring = _model(model)
    total = table.partitions(partition_rows)
    bar = _progress(total, progress, "scoring")
    await asyncio.to_thread(sink.begin)  # a table sink talks to the server: off the event loop
    rows = skipped = 0
    kwargs = dict(predict_kwargs or {})
    profiles = None
    if profile_client_kwargs is not None and "pf_client" not in kwargs:  # one client for the whole job
        from mls_async._async.profile_client import AsyncMLSProfileAPIClient

        profiles = kwargs["pf_client"] = AsyncMLSProfileAPIClient(**dict(profile_client_kwargs))
    writing: asyncio.Future[None] | None = None  # a partition is written while the next one is scored
    stop = threading.Event()  # set when the job ends early: the partition being written stops
    try:
        for index, frame in table.batches(partition_rows):
            if sink.done(index):
                skipped += 1
            else:
                if scorer is not None:
                    scored = await scorer(scoring, frame)
                else:
                    scored = await score_frame(
                        scoring, frame, key=key, features=features, concurrency=concurrency, predict_kwargs=kwargs
                    )
                if writing is not None:
                    await asyncio.shield(writing)  # cancelling the future would not stop its thread
                writing = asyncio.ensure_future(asyncio.to_thread(write_partition, sink, index, scored, stop))
                rows += len(scored)
            if bar is not None:
                bar.update(1)
        if writing is not None:
            await asyncio.shield(writing)  # cancelling the future would not stop its thread
    finally:
        if writing is not None and not writing.done():
            stop.set()
            await _outlive(writing)
        if profiles is not None:
            await profiles.aclose()
        if bar is not None:
            bar.close()
    await asyncio.to_thread(sink.end)
    return BatchResult(total, skipped, rows, time.perf_counter() - started)


def run_batch(
    model: Any,
    source: str | Path | Source,
    sink: Sink,
    *,
    key: str,
    features: list[str] | None = None,
    partition_rows: int = 10_000,
    concurrency: int = 256,
    profile_client_kwargs: Mapping[str, Any] | None = None,
    scheduler: Any = None,
    progress: bool = False,
) -> BatchResult:
    """:func:`run_batch_async` from sync code, in process (``scheduler=None``) or on Dask.

    ``scheduler``: ``"local"`` (a ``LocalCluster`` for this job), a scheduler address, or a
    ``distributed.Client``.
    """
    if scheduler is None:
        from mls_async.models._runner import run_sync

        return run_sync(
            run_batch_async(
                model,
                source,
                sink,
                key=key,
                features=features,
                partition_rows=partition_rows,
                concurrency=concurrency,
                profile_client_kwargs=profile_client_kwargs,
                progress=progress,
            )
        )
    return _on_dask(
        model,
        source,
        sink,
        key=key,
        features=features,
        partition_rows=partition_rows,
        concurrency=concurrency,
        profile_client_kwargs=profile_client_kwargs,
        scheduler=scheduler,
        progress=progress,
    )


def _on_dask(
    model: Any,
    source: str | Path | Source,
    sink: Sink,
    *,
    key: str,
    features: list[str] | None,
    partition_rows: int,
    concurrency: int,
    profile_client_kwargs: Mapping[str, Any] | None,
    scheduler: Any,
    progress: bool,
) -> BatchResult:
    with needs_extra("batch", "scheduler= (Dask)"):
        from distributed import Client, LocalCluster, as_completed
    started = time.perf_counter()
    table = source if isinstance(source, Source) else open_source(source)
    total = table.partitions(partition_rows)
    owned: list[Any] = []
    if isinstance(scheduler, Client):
        client = scheduler
    elif scheduler == "local":
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
        owned = [client, cluster]
    else:
        client = Client(scheduler)
        owned = [client]
    try:
        shipped = model if isinstance(model, ModelRef) else client.scatter(model, broadcast=True)
        sink.begin()
        job = uuid.uuid4().hex
        todo = [index for index in range(total) if not sink.done(index)]
        futures = [
            client.submit(
                _task,
                shipped,
                table,
                index,
                partition_rows,
                sink,
                key,
                features,
                concurrency,
                profile_client_kwargs,
                key=f"mls-batch-{job}-{index}",
                retries=2,
            )
            for index in todo
        ]
        bar = _progress(total, progress, "scoring")
        if bar is not None:
            bar.update(total - len(todo))
        rows = 0
        for future in as_completed(futures):
            rows += future.result()
            if bar is not None:
                bar.update(1)
        if bar is not None:
            bar.close()
        sink.end()
    finally:
        for resource in owned:
            resource.close()
    return BatchResult(total, total - len(todo), rows, time.perf_counter() - started)
