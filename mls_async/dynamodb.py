"""Batch prediction tables (``sktmls.dynamodb``): ``DynamoDBClient`` and its async twin."""

from mls_async._async.dynamodb_client import AsyncDynamoDBClient
from mls_async._sync.dynamodb_client import DynamoDBClient

__all__ = [
    "AsyncDynamoDBClient",
    "DynamoDBClient",
]
