"""Meta tables (``sktmls.meta_tables``): ``MetaTable``, ``MetaItem`` and their clients."""

from mls_async._async.meta_table_client import AsyncMetaTableClient
from mls_async._entities import MetaItem, MetaTable
from mls_async._sync.meta_table_client import MetaTableClient

__all__ = [
    "AsyncMetaTableClient",
    "MetaItem",
    "MetaTable",
    "MetaTableClient",
]
