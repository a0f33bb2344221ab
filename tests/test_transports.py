"""The transport choice: aiohttp by default for async clients, errors that tell whether a request left."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from mls_async import MLSConnectionError, MLSTimeoutError
from mls_async._aiohttp_transport import AiohttpTransport
from mls_async._exceptions import MLSConfigError
from mls_async._retry import RetryPolicy
from mls_async.models import AsyncMLModelClient, MLModelClient

FAST = RetryPolicy(max_retries=2, initial_delay=0.001, max_delay=0.002)


def test_async_clients_default_to_aiohttp_sync_clients_to_httpx(monkeypatch):
    client = AsyncMLModelClient(env="LOCAL", username="u", password="p")
    assert isinstance(client._http._transport, AiohttpTransport)
    assert isinstance(MLModelClient(env="LOCAL", username="u", password="p")._http._transport, httpx.HTTPTransport)
    assert isinstance(
        AsyncMLModelClient(env="LOCAL", username="u", password="p", transport="httpx")._http._transport,
        httpx.AsyncHTTPTransport,
    )
    monkeypatch.setenv("MLS_HTTP_TRANSPORT", "httpx")
    assert isinstance(
        AsyncMLModelClient(env="LOCAL", username="u", password="p")._http._transport, httpx.AsyncHTTPTransport
    )
    with pytest.raises(MLSConfigError, match="transport='curl' is not valid"):
        AsyncMLModelClient(env="LOCAL", username="u", password="p", transport="curl")


async def _server(handle) -> tuple[asyncio.AbstractServer, str]:
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"


async def test_a_dropped_connection_after_sending_is_not_repeated_for_a_post():
    seen = []

    async def drop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await reader.readuntil(b"\r\n\r\n"))
        writer.close()

    server, url = await _server(drop)
    async with server, AsyncMLModelClient(env="LOCAL", username="u", password="p", base_url=url, retry=FAST) as client:
        with pytest.raises(MLSConnectionError, match="may or may not have been applied"):
            await client._request("POST", "/api/v1/models", json={"a": 1}, idempotent=True)
        assert len(seen) == 1
        with pytest.raises(MLSConnectionError):
            await client._request("GET", "/api/v1/models")
        assert len(seen) >= 4  # a read is repeated (aiohttp may also repeat one on a dropped keep-alive)


async def test_a_refused_connection_is_retried_even_for_a_post_and_a_slow_answer_times_out():
    async with AsyncMLModelClient(
        env="LOCAL", username="u", password="p", base_url="http://127.0.0.1:9", retry=FAST
    ) as client:
        with pytest.raises(MLSConnectionError, match="cannot reach the MLS server at http://127.0.0.1:9") as info:
            await client._request("POST", "/api/v1/models", json={"a": 1})
        assert "may or may not" not in str(info.value)  # it never left

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(2)
        writer.close()

    server, url = await _server(silent)
    async with (
        server,
        AsyncMLModelClient(
            env="LOCAL", username="u", password="p", base_url=url, retry=FAST, timeout=httpx.Timeout(0.2)
        ) as client,
    ):
        with pytest.raises(MLSTimeoutError):
            await client._request("GET", "/api/v1/models", max_retries=0)


@pytest.fixture
def direct_calls(monkeypatch) -> list[str]:
    """Every request that took the direct path (a counting wrapper around the real one)."""
    calls: list[str] = []
    real = AiohttpTransport.direct_request

    async def counted(self, method, url, headers, timeout):
        calls.append(f"{method} {url}")
        return await real(self, method, url, headers, timeout)

    monkeypatch.setattr(AiohttpTransport, "direct_request", counted)
    return calls


@pytest.mark.e2e
async def test_bodyless_reads_go_direct_with_the_same_auth_and_answers(live_server, direct_calls):
    from mls_async import AsyncMLSProfileAPIClient, MLSNotFoundError

    kwargs = {"env": "LOCAL", "username": "tester", "password": "s3cret-pass", "base_url": live_server}
    async with AsyncMLModelClient(**kwargs) as models, AsyncMLSProfileAPIClient(**kwargs) as profiles:
        created = await models.create_manual_model("direct_model", "v1")  # its POST is never direct
        assert not any(call.startswith("POST") for call in direct_calls)
        direct_calls.clear()
        assert (await models.get_manual_model(id=created.id)).name == "direct_model"
        await profiles.put_user_profiles("p", {"u1": {"a": 1, "b": 2}})
        assert await profiles.get_user_profile("p", "u1", ["a"]) == {"a": 1}
        assert await profiles.get_profile("p", "u1", ["b"]) == {"b": 2}
        with pytest.raises(MLSNotFoundError, match="no manual model|not found|no model"):
            await models.get_manual_model(id=987654)
        assert len(direct_calls) == 4 and all(call.startswith("GET ") for call in direct_calls)
        assert any("/v1/mls-mms/profiles/p/users/u1?f=a&mode=test" in call for call in direct_calls)
    async with AsyncMLModelClient(**{**kwargs, "password": "wrong"}, retry=FAST) as wrong:
        with pytest.raises(Exception, match="wrong username or password"):
            await wrong.get_manual_model(id=created.id)  # Basic auth is sent on the direct path as on httpx's


@pytest.mark.parametrize("using", ["httpcore", "httpx"])
async def test_respx_mocks_a_client_on_httpx_s_transport(using, direct_calls):
    import respx

    kwargs = {"env": "LOCAL", "username": "u", "password": "p", "base_url": "http://mls.mock", "transport": "httpx"}
    async with AsyncMLModelClient(**kwargs) as client:
        with respx.mock(base_url="http://mls.mock", using=using) as mock:
            body = {"code": 0, "error": None, "results": {"id": 5, "name": "m", "model_type": "manual"}}
            mock.get("/api/v1/models/5").respond(json=body)
            assert (await client.get_manual_model(id=5)).name == "m"
    assert direct_calls == []


async def test_a_proxy_named_by_the_environment_carries_the_requests(monkeypatch, direct_calls):
    seen: list[bytes] = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append((await reader.readuntil(b"\r\n\r\n")).split(b"\r\n")[0])
        body = b'{"code": 0, "error": null, "results": {"id": 5, "name": "m", "model_type": "manual"}}'
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body))
        writer.write(body)
        await writer.drain()
        writer.close()

    server, url = await _server(proxy)
    monkeypatch.setenv("HTTP_PROXY", url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    kwargs = {"env": "LOCAL", "username": "u", "password": "p", "base_url": "http://mls.behind-a-proxy"}
    async with server, AsyncMLModelClient(**kwargs, retry=FAST) as client:
        assert (await client.get_manual_model(id=5)).name == "m"
    assert seen == [b"GET http://mls.behind-a-proxy/api/v1/models/5 HTTP/1.1"]  # the proxy's form of the request
    assert direct_calls == []
