"""Components (``sktmls.components``): the ``Component`` entity and its clients."""

from mls_async._async.component_client import AsyncComponentClient
from mls_async._entities import Component
from mls_async._sync.component_client import ComponentClient

__all__ = [
    "AsyncComponentClient",
    "Component",
    "ComponentClient",
]
