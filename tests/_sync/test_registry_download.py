# Generated from tests/_async/test_registry_download.py by scripts/unasync.py. Do not edit: edit the source and regenerate.
"""A registry download broken off mid-body is retried, and typed when it keeps failing."""

from __future__ import annotations

import httpx
import pytest

from mls_async import ModelRegistry, MLSConnectionError, RetryPolicy
from mls_async.models import MLSRuleModel

FAST = RetryPolicy(max_retries=2, initial_delay=0.001, max_delay=0.002)


class Greeter(MLSRuleModel):
    def predict(self, x, **kwargs):
        return {"items": [{"id": "hi", "name": "hi", "type": "t", "props": {"x": x}}]}


class _BrokenBody(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream) -> None:
        self.inner = inner

    def __iter__(self):
        for chunk in self.inner:
            yield chunk[:10]
            raise httpx.ReadError("connection reset mid-body")

    def close(self) -> None:
        self.inner.close()


class BreakingDownloads(httpx.BaseTransport):
    """Passes requests to the real server, breaking the first ``breaks`` archive downloads mid-body."""

    def __init__(self, inner: httpx.BaseTransport, breaks: int) -> None:
        self.inner, self.breaks, self.downloads = inner, breaks, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.method == "GET" and request.url.path.endswith("/greet_model/v1"):
            self.downloads += 1
            if self.downloads <= self.breaks:
                return httpx.Response(
                    response.status_code, headers=response.headers, stream=_BrokenBody(response.stream)
                )
        return response


@pytest.mark.parametrize("breaks", [1, 5])
def test_download_broken_off_is_retried_then_typed(breaks, client_kwargs, sync_transport, tmp_path):
    transport = BreakingDownloads(sync_transport, breaks)
    with ModelRegistry(
        **client_kwargs, transport=transport, retry=FAST, model_dir=tmp_path / "models"
    ) as registry:
        registry.save(Greeter("greet_model", "v1", ["x"]))
        if breaks <= FAST.max_retries:
            loaded = registry.load("greet_model", "v1")
            assert (loaded.predict([1]))["items"][0]["props"] == {"x": [1]}
        else:
            with pytest.raises(MLSConnectionError, match="downloading greet_model/v1 broke off"):
                registry.load("greet_model", "v1")
    assert transport.downloads == min(breaks, FAST.max_retries) + 1
