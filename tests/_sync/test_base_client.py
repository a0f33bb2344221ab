# Generated from tests/_async/test_base_client.py by scripts/unasync.py. Do not edit: edit the source and regenerate.
"""The base client's contract, pinned at the transport with respx."""

from __future__ import annotations

import logging

import httpx
import pytest
import respx

import mls_async
from mls_async import (
    MLSClient,
    MLSAPIStatusError,
    MLSBadRequestError,
    MLSClientError,
    MLSConfigError,
    MLSConflictError,
    MLSConnectionError,
    MLSForbiddenError,
    MLSNotFoundError,
    MLSRateLimitError,
    MLSServerError,
    MLSTimeoutError,
    MLSUnauthorizedError,
    MLSUnprocessableEntityError,
    MLSValidationError,
    RetryPolicy,
)
from mls_async.components import ComponentClient, Component

BASE = "http://mls.test"
FAST = RetryPolicy(max_retries=3, initial_delay=0.001, max_delay=0.002, max_retry_after=0.05)


def make_client(**kwargs) -> MLSClient:
    return MLSClient(env="LOCAL", username="alice", password="hunter2-secret", base_url=BASE, **kwargs)


def ok(results=None, status=200, **kwargs) -> httpx.Response:
    return httpx.Response(status, json={"code": 0, "error": None, "results": results}, **kwargs)


@respx.mock
def test_envelope_decoded_and_basic_auth_sent_every_time():
    route = respx.get(f"{BASE}/api/v1/models/1").mock(return_value=ok({"id": 1, "name": "m"}))
    with make_client() as client:
        for _ in range(2):
            response = client._request("GET", "/api/v1/models/1")
            assert response.results == {"id": 1, "name": "m"} and response.code == 0
    assert route.call_count == 2
    for call in route.calls:
        assert call.request.headers["authorization"] == httpx.BasicAuth("alice", "hunter2-secret")._auth_header


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, MLSBadRequestError),
        (401, MLSUnauthorizedError),
        (403, MLSForbiddenError),
        (404, MLSNotFoundError),
        (409, MLSConflictError),
        (422, MLSUnprocessableEntityError),
        (429, MLSRateLimitError),
        (500, MLSServerError),
        (503, MLSServerError),
    ],
)
@respx.mock
def test_each_status_maps_to_its_error_class(status, error_class):
    respx.get(f"{BASE}/x").mock(
        return_value=httpx.Response(
            status, json={"code": status, "error": f"boom {status}", "results": None}, headers={"x-request-id": "req-7"}
        )
    )
    with make_client(max_retries=0) as client:
        with pytest.raises(error_class) as info:
            client._request("GET", "/x")
    assert info.value.status == status and info.value.code == status
    assert info.value.msg == f"boom {status}" and info.value.request_id == "req-7"
    assert isinstance(info.value, MLSAPIStatusError) and isinstance(info.value, MLSClientError)
    assert not isinstance(info.value, MLSConnectionError)


def test_errors_raised_before_any_request_carry_no_code():
    with pytest.raises(MLSConfigError) as config:
        MLSClient(env="LOCAL", auth="digest")
    with ComponentClient(env="LOCAL", username="u", password="p") as components:
        with pytest.raises(MLSValidationError) as validation:
            components.get_component()
    for error in (config.value, validation.value):
        assert error.code is None and error.status is None and not isinstance(error, MLSAPIStatusError)
    assert issubclass(MLSUnprocessableEntityError, MLSBadRequestError)  # a 422 is still caught as a bad request


@respx.mock
def test_error_envelope_with_200_and_non_json_bodies():
    soft_error = {"code": 404, "error": "gone", "results": None}
    respx.get(f"{BASE}/soft").mock(return_value=httpx.Response(200, json=soft_error))
    respx.get(f"{BASE}/proxy").mock(return_value=httpx.Response(502, text="<html>Bad gateway</html>"))
    respx.get(f"{BASE}/garbage").mock(return_value=httpx.Response(200, text="not json"))
    with make_client(max_retries=0) as client:
        with pytest.raises(MLSNotFoundError, match="gone"):
            client._request("GET", "/soft")
        with pytest.raises(MLSServerError, match="HTTP 502 .*Bad gateway"):
            client._request("GET", "/proxy")
        with pytest.raises(MLSServerError, match="expected a JSON envelope"):
            client._request("GET", "/garbage")


@respx.mock
def test_retries_5xx_and_429_honouring_retry_after(monkeypatch):
    waits = []
    real_delay = FAST.delay
    monkeypatch.setattr(
        RetryPolicy,
        "delay",
        lambda self, attempt, retry_after=None: (
            waits.append((attempt, retry_after)) or real_delay(attempt, retry_after)
        ),
    )
    route = respx.get(f"{BASE}/flaky").mock(
        side_effect=[
            httpx.Response(503, json={"code": 503, "error": "busy", "results": None}),
            httpx.Response(
                429, json={"code": 429, "error": "slow down", "results": None}, headers={"Retry-After": "0.01"}
            ),
            ok("finally"),
        ]
    )
    with make_client(retry=FAST) as client:
        assert (client._request("GET", "/flaky")).results == "finally"
    assert route.call_count == 3
    assert waits == [(0, None), (1, 0.01)]


def test_backoff_grows_with_jitter_and_retry_after_is_capped():
    policy = RetryPolicy(initial_delay=0.5, max_delay=4.0, max_retry_after=30.0)
    for attempt, ceiling in [(0, 0.5), (1, 1.0), (2, 2.0), (5, 4.0)]:
        delays = {policy.delay(attempt) for _ in range(20)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays) and len(delays) > 1
    assert policy.delay(0, retry_after=12.0) == 12.0
    assert policy.delay(0, retry_after=3600.0) is None  # longer than the cap: give up, do not retry early


@respx.mock
def test_a_retry_after_beyond_the_cap_is_not_retried():
    route = respx.get(f"{BASE}/later").mock(
        return_value=httpx.Response(
            503, json={"code": 503, "error": "maintenance", "results": None}, headers={"Retry-After": "3600"}
        )
    )
    with make_client(retry=FAST) as client:
        with pytest.raises(MLSServerError, match="asked to wait 3600 s, longer than max_retry_after=0.05 s"):
            client._request("GET", "/later")
    assert route.call_count == 1


@respx.mock
def test_no_retry_begins_past_the_deadline():
    route = respx.get(f"{BASE}/slow").mock(
        return_value=httpx.Response(
            503, json={"code": 503, "error": "busy", "results": None}, headers={"Retry-After": "0.03"}
        )
    )
    policy = RetryPolicy(max_retries=10, max_retry_after=1.0, deadline=0.1)
    with make_client(retry=policy) as client:
        with pytest.raises(MLSServerError, match="deadline of 0.1 s"):
            client._request("GET", "/slow")
    assert 2 <= route.call_count <= 4  # waits of 0.03 s fit about three times in 0.1 s, not ten


@respx.mock
def test_gives_up_after_max_retries():
    route = respx.get(f"{BASE}/down").mock(return_value=httpx.Response(500, json={"code": 500, "error": "x"}))
    with make_client(retry=FAST) as client:
        with pytest.raises(MLSServerError):
            client._request("GET", "/down", max_retries=1)
    assert route.call_count == 2


ANNOUNCES = {"MLS-Capabilities": "idempotency-key, profile-batch"}


@respx.mock
def test_post_is_retried_only_with_a_key_the_server_announced_it_honours():
    route = respx.post(f"{BASE}/api/v1/models").mock(
        side_effect=[
            httpx.Response(502, json={"code": 502, "error": "bad gateway"}, headers=ANNOUNCES),
            httpx.Response(502, json={"code": 502, "error": "bad gateway"}, headers=ANNOUNCES),
            httpx.Response(200, json={"code": 0, "error": None, "results": {"id": 6}}, headers=ANNOUNCES),
        ]
    )
    with make_client(retry=FAST) as client:
        with pytest.raises(MLSServerError):
            client._request("POST", "/api/v1/models", json={"a": 1})
        assert route.call_count == 1
        assert client.supports("idempotency-key")
        assert (client._request("POST", "/api/v1/models", json={"a": 1}, idempotent=True)).results == {"id": 6}
    keys = [call.request.headers.get("idempotency-key") for call in route.calls]
    assert keys[0] is None
    assert keys[1] is not None and keys[1] == keys[2]  # one key per logical call, reused on retry


@respx.mock
def test_post_is_never_retried_against_a_server_that_does_not_announce_keys():
    route = respx.post(f"{BASE}/api/v1/models").mock(
        side_effect=[httpx.Response(502, json={"code": 502, "error": "bad gateway"}), ok({"id": 6})]
    )
    respx.post(f"{BASE}/api/v1/components").mock(side_effect=[httpx.ReadError("reset"), ok({"id": 1})])
    with make_client(retry=FAST) as client:
        with pytest.raises(MLSServerError, match="may or may not have been applied"):
            client._request("POST", "/api/v1/models", json={"a": 1}, idempotent=True)
        with pytest.raises(MLSConnectionError, match="may or may not have been applied"):
            client._request("POST", "/api/v1/components", json={"a": 1}, idempotent=True)
        assert not client.supports("idempotency-key")
    assert route.call_count == 1


@respx.mock
def test_a_read_only_post_is_retried_as_a_get_would_be():
    route = respx.post(f"{BASE}/lookup").mock(side_effect=[httpx.ReadError("reset"), ok("found")])
    with make_client(retry=FAST) as client:
        assert (client._request("POST", "/lookup", json={"ids": ["u"]}, read_only=True)).results == "found"
    assert route.call_count == 2


@respx.mock
def test_connection_errors_and_timeouts_are_retried_then_typed():
    route = respx.get(f"{BASE}/net").mock(side_effect=[httpx.ConnectError("refused"), ok("up")])
    respx.get(f"{BASE}/slow").mock(side_effect=httpx.ReadTimeout("slow"))
    respx.post(f"{BASE}/refused").mock(side_effect=[httpx.ConnectError("refused"), ok("sent")])
    with make_client(retry=FAST) as client:
        assert (client._request("GET", "/net")).results == "up"
        assert route.call_count == 2
        with pytest.raises(MLSTimeoutError) as info:
            client._request("GET", "/slow")
        assert isinstance(info.value, MLSConnectionError) and isinstance(info.value.__cause__, httpx.ReadTimeout)
        # a POST that never reached the server is safe to repeat, key or not
        assert (client._request("POST", "/refused")).results == "sent"


@respx.mock
def test_with_options_sets_per_call_retries_and_timeout():
    route = respx.get(f"{BASE}/api/v1/models/3").mock(
        return_value=httpx.Response(503, json={"code": 503, "error": "busy"})
    )
    with make_client(retry=FAST) as client:
        hurried = client.with_options(max_retries=0, timeout=1.5)
        with pytest.raises(MLSServerError):
            hurried._request("GET", "/api/v1/models/3")
        assert route.call_count == 1
        assert route.calls[0].request.extensions["timeout"] == httpx.Timeout(1.5).as_dict()
        with pytest.raises(MLSServerError):
            client._request("GET", "/api/v1/models/3")
        assert route.call_count == 1 + 4  # the original keeps its own policy


@respx.mock
def test_pagination_iterator_walks_every_page():
    route = respx.get(f"{BASE}/api/v1/components").mock(
        side_effect=lambda request: ok(
            {"1": [{"id": 1}, {"id": 2}], "2": [{"id": 3}], "3": []}[request.url.params["page"]]
        )
    )
    with make_client() as client:
        found = [item for item in client._paginate("/api/v1/components", Component, {"name": "c", "query": None})]
    assert [item.id for item in found] == [1, 2, 3] and all(isinstance(item, Component) for item in found)
    assert [dict(call.request.url.params) for call in route.calls] == [
        {"name": "c", "page": "1"},
        {"name": "c", "page": "2"},
        {"name": "c", "page": "3"},
    ]


@respx.mock
def test_password_never_in_repr_logs_or_errors(caplog):
    caplog.set_level(logging.DEBUG)
    respx.get(f"{BASE}/fail").mock(return_value=httpx.Response(500, json={"code": 500, "error": "nope"}))
    with make_client(retry=FAST) as client:
        with pytest.raises(MLSServerError) as info:
            client._request("GET", "/fail")
        texts = [repr(client), repr(client._settings), str(info.value), repr(info.value), caplog.text]
    assert "retrying" in caplog.text
    assert all("hunter2-secret" not in text for text in texts)


def test_configuration_from_environment(monkeypatch):
    monkeypatch.setenv("MLS_ENV", "local")
    monkeypatch.setenv("MLS_RUNTINE_ENV", "YE")  # the original SDK's spelling
    monkeypatch.setenv("MLS_USERNAME", "bob")
    monkeypatch.setenv("MLS_PASSWORD", "pw")
    client = MLSClient()
    assert client.get_env() is mls_async.MLSENV.LOCAL
    assert client.get_runtime_env() is mls_async.MLSRuntimeENV.YE
    assert client.get_username() == "bob" and client.base_url == "http://127.0.0.1:8000"
    monkeypatch.setenv("MLS_RUNTIME_ENV", "MMS")
    assert MLSClient().get_runtime_env() is mls_async.MLSRuntimeENV.MMS


def test_invalid_configuration_lists_valid_values(monkeypatch):
    with pytest.raises(MLSConfigError, match="use one of: DEV, STG, PRD, DEV_LAND, STG_LAND, PRD_LAND, LOCAL"):
        MLSClient(env="QA", username="u", password="p")
    monkeypatch.setenv("MLS_RUNTIME_ENV", "cloud")
    with pytest.raises(MLSConfigError, match="MLS_RUNTIME_ENV='cloud'.*YE, EDD, MMS, LOCAL"):
        MLSClient(env="LOCAL", username="u", password="p")
    monkeypatch.delenv("MLS_RUNTIME_ENV")
    with pytest.raises(MLSConfigError, match="username is required"):
        MLSClient(env="LOCAL")
    with pytest.raises(MLSConfigError, match="no AB API host for env=DEV_LAND on runtime_env=EDD"):
        MLSClient(env="DEV_LAND", runtime_env="EDD", username="u", password="p")


@respx.mock
def test_token_auth_logs_in_once_and_refreshes_once_on_401():
    login = respx.post(f"{BASE}/api/v1/auth/token").mock(side_effect=[ok({"token": "t1"}), ok({"token": "t2"})])
    answers = iter([ok(1), httpx.Response(401, json={"code": 401, "error": "expired"}), ok(2), ok(3)])
    sent: list[str] = []  # the header as sent (the auth flow reuses the request object for its repeat)

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers["authorization"])
        return next(answers)

    respx.get(f"{BASE}/data").mock(side_effect=answer)
    with make_client(auth="token") as client:
        assert (client._request("GET", "/data")).results == 1
        assert (client._request("GET", "/data")).results == 2  # 401 -> new token -> repeated once
        assert (client._request("GET", "/data")).results == 3
    assert login.call_count == 2
    assert login.calls[0].request.headers["authorization"].startswith("Basic ")
    assert sent == ["Bearer t1", "Bearer t1", "Bearer t2", "Bearer t2"]
    assert "hunter2-secret" not in repr(client._auth)


@respx.mock
def test_token_auth_gives_up_after_one_refresh():
    respx.post(f"{BASE}/api/v1/auth/token").mock(return_value=ok({"token": "t"}))
    data = respx.get(f"{BASE}/data").mock(return_value=httpx.Response(401, json={"code": 401, "error": "no"}))
    with make_client(auth="token") as client:
        with pytest.raises(MLSUnauthorizedError, match="no"):
            client._request("GET", "/data")
    assert data.call_count == 2
    with pytest.raises(MLSConfigError, match="auth='oauth' is not valid"):
        make_client(auth="oauth")


@respx.mock
def test_nan_and_infinity_are_refused_before_sending():
    route = respx.post(f"{BASE}/api/v1/models").mock(return_value=ok({"id": 1}))
    with make_client() as client:
        with pytest.raises(MLSValidationError, match=r"the body\['model_meta'\]\['x'\] holds nan"):
            client._request("POST", "/api/v1/models", json={"model_meta": {"x": float("nan")}})
        with pytest.raises(MLSValidationError, match="holds inf"):
            client._request("POST", "/api/v1/models", json=[1.0, float("inf")])
    assert route.call_count == 0
