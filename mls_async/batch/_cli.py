"""``mls-async batch-predict MODEL VERSION SOURCE``: score a registered model over a Parquet/CSV source."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mls_async._extras import MissingExtra, needs_extra

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="mls-async batch-predict", description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("model")
    parser.add_argument("version")
    parser.add_argument("source", type=Path, help="a Parquet file or directory, or a CSV file")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--table", help="an MLS batch table (created if missing, active when the job ends)")
    target.add_argument("--output", type=Path, help="a directory for Parquet part files")
    parser.add_argument("--key", default="user_id", help="the column that identifies a row")
    parser.add_argument(
        "--scheduler",
        default=None,
        help="a Dask scheduler address, or 'local' for a LocalCluster; in process when omitted",
    )
    parser.add_argument("--partition-rows", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=256, help="predictions in flight per partition")
    parser.add_argument("--profiles", action="store_true", help="give the model a profile client (pf lookups)")
    parser.add_argument("--env", default=None, help="MLS environment ($MLS_ENV, else STG)")
    parser.add_argument("--base-url", default=None, help="the server's URL ($MLS_BASE_URL)")
    parser.add_argument("--username", default=None, help="account ($MLS_USERNAME)")
    parser.add_argument("--password", default=None, help="password ($MLS_PASSWORD)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)

    from mls_async.batch import ModelRef, ParquetSink, TableSink, run_batch

    client_kwargs = {
        k: v
        for k, v in {
            "env": args.env,
            "base_url": args.base_url,
            "username": args.username,
            "password": args.password,
        }.items()
        if v is not None
    }
    sink = ParquetSink(str(args.output)) if args.output is not None else TableSink(args.table, args.key, client_kwargs)
    try:
        with needs_extra("batch", "mls-async batch-predict"):
            result = run_batch(
                ModelRef(args.model, args.version, client_kwargs),
                args.source,
                sink,
                key=args.key,
                partition_rows=args.partition_rows,
                concurrency=args.concurrency,
                profile_client_kwargs=client_kwargs if args.profiles else None,
                scheduler=args.scheduler,
                progress=not args.quiet,
            )
    except MissingExtra:
        raise
    except Exception as exc:
        print(f"mls-async batch-predict: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    where = args.output if args.output is not None else f"table {args.table}"
    print(
        f"{result.rows} rows scored into {where} in {result.seconds:.1f} s ({result.rows_per_second:,.0f}/s); "
        f"{result.skipped} of {result.partitions} partitions were written before"
    )
    return 0
