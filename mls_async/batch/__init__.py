"""Batch scoring: a registered model over a Parquet or CSV source, into Parquet or an MLS batch table.

In process for small jobs, on Dask (``distributed``) for large ones; see :mod:`mls_async.batch._job`.
"""

from mls_async.batch._job import BatchResult, ModelRef, run_batch, run_batch_async
from mls_async.batch._sink import ParquetSink, Sink, TableSink
from mls_async.batch._source import Source, open_source

__all__ = [
    "BatchResult",
    "ModelRef",
    "ParquetSink",
    "Sink",
    "Source",
    "TableSink",
    "open_source",
    "run_batch",
    "run_batch_async",
]
