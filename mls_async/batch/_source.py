"""Where rows to score come from: a Parquet file or directory, or a CSV file, read in partitions.

A partition is a fixed slice of the source (``partition_rows`` rows, by position), so
that every run of a job, and every worker, cuts the source the same way: a partition's
index names its output, which is what makes reruns idempotent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Source", "open_source"]


@dataclass(frozen=True)
class Source:
    """A table of rows on disk: ``path``, its ``format`` (``parquet`` or ``csv``) and row count."""

    path: str
    format: str
    num_rows: int
    columns: tuple[str, ...]

    def partitions(self, partition_rows: int) -> int:
        return max(1, -(-self.num_rows // partition_rows))

    def read(self, index: int, partition_rows: int) -> Any:
        """Partition ``index`` as a pandas DataFrame."""
        start = index * partition_rows
        if self.format == "csv":
            import pandas as pd

            header = 0
            skip = range(1, start + 1) if start else None
            return pd.read_csv(self.path, header=header, skiprows=skip, nrows=partition_rows)
        return self._table().slice(start, partition_rows).to_pandas()

    def batches(self, partition_rows: int) -> Iterator[tuple[int, Any]]:
        """Every partition in order, read once from start to end (the in-process path)."""
        if self.format == "csv":
            import pandas as pd

            for index, frame in enumerate(pd.read_csv(self.path, chunksize=partition_rows)):
                yield index, frame
            return
        import pyarrow.dataset as ds

        pending: list[Any] = []
        buffered, index = 0, 0
        for batch in ds.dataset(self.path, format="parquet").to_batches(batch_size=partition_rows):
            pending.append(batch)
            buffered += batch.num_rows
            while buffered >= partition_rows:
                table = _concat(pending)
                yield index, table.slice(0, partition_rows).to_pandas()
                rest = table.slice(partition_rows)
                pending, buffered, index = ([rest] if rest.num_rows else []), rest.num_rows, index + 1
        if buffered or index == 0:
            yield index, _concat(pending).to_pandas() if pending else self._table().slice(0, 0).to_pandas()

    def _table(self) -> Any:
        import pyarrow.dataset as ds

        return ds.dataset(self.path, format="parquet").to_table()


def _concat(parts: list[Any]) -> Any:
    import pyarrow as pa

    tables = [part if isinstance(part, pa.Table) else pa.Table.from_batches([part]) for part in parts]
    return pa.concat_tables(tables)


def open_source(path: str | Path) -> Source:
    """Describe the Parquet file/directory or CSV file at ``path`` (its rows are not read)."""
    location = Path(path)
    if not location.exists():
        raise FileNotFoundError(f"no batch source at {location}")
    if location.is_file() and location.suffix.lower() in (".csv", ".txt"):
        import pandas as pd

        columns = tuple(pd.read_csv(location, nrows=0).columns)
        with open(location, "rb") as file:
            num_rows = max(0, sum(1 for _ in file) - 1)
        return Source(str(location), "csv", num_rows, columns)
    import pyarrow.dataset as ds

    dataset = ds.dataset(str(location), format="parquet")
    return Source(str(location), "parquet", dataset.count_rows(), tuple(dataset.schema.names))
