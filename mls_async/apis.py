"""The platform's online APIs (``sktmls.apis``): profiles (features) and the graph, async and sync."""

from mls_async._async.graph_client import AsyncMLSGraphAPIClient
from mls_async._async.profile_client import AsyncMLSProfileAPIClient
from mls_async._entities import Edge, Vertex
from mls_async._sync.graph_client import MLSGraphAPIClient
from mls_async._sync.profile_client import MLSProfileAPIClient

__all__ = [
    "AsyncMLSGraphAPIClient",
    "AsyncMLSProfileAPIClient",
    "Edge",
    "MLSGraphAPIClient",
    "MLSProfileAPIClient",
    "Vertex",
]
