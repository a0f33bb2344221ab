"""A registry download broken off mid-body is retried, and typed when it keeps failing."""

from __future__ import annotations

import httpx
import pytest

from mls_async import AsyncModelRegistry, MLSConnectionError, RetryPolicy
from mls_async.models import MLSRuleModel

FAST = RetryPolicy(max_retries=2, initial_delay=0.001, max_delay=0.002)


class Greeter(MLSRuleModel):
    def predict(self, x, **kwargs):
        return {"items": [{"id": "hi", "name": "hi", "type": "t", "props": {"x": x}}]}


class _BrokenBody(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream) -> None:
        self.inner = inner

    async def __aiter__(self):
        async for chunk in self.inner:
            yield chunk[:10]
            raise httpx.ReadError("connection reset mid-body")

    async def aclose(self) -> None:
        await self.inner.aclose()


class BreakingDownloads(httpx.AsyncBaseTransport):
    """Passes requests to the real server, breaking the first ``breaks`` archive downloads mid-body."""

    def __init__(self, inner: httpx.AsyncBaseTransport, breaks: int) -> None:
        self.inner, self.breaks, self.downloads = inner, breaks, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "GET" and request.url.path.endswith("/greet_model/v1"):
            self.downloads += 1
            if self.downloads <= self.breaks:
                return httpx.Response(
                    response.status_code, headers=response.headers, stream=_BrokenBody(response.stream)
                )
        return response


@pytest.mark.parametrize("breaks", [1, 5])
async def test_download_broken_off_is_retried_then_typed(breaks, client_kwargs, async_transport, tmp_path):
    transport = BreakingDownloads(async_transport, breaks)
    async with AsyncModelRegistry(
        **client_kwargs, transport=transport, retry=FAST, model_dir=tmp_path / "models"
    ) as registry:
        await registry.save(Greeter("greet_model", "v1", ["x"]))
        if breaks <= FAST.max_retries:
            loaded = await registry.load("greet_model", "v1")
            assert (await loaded.predict_async([1]))["items"][0]["props"] == {"x": [1]}
        else:
            with pytest.raises(MLSConnectionError, match="downloading greet_model/v1 broke off"):
                await registry.load("greet_model", "v1")
    assert transport.downloads == min(breaks, FAST.max_retries) + 1
