"""Feature fetches during inference: concurrency, coalescing and error routing (async only)."""

from __future__ import annotations

import asyncio

import httpx
import numpy as np
import pytest
import pytest_asyncio
import respx

from mls_async import AsyncMLSProfileAPIClient, DoesNotExist, MLSUnauthorizedError, RetryPolicy
from mls_async.models import MLSGenericModel, MLSModelError
from mls_async.models.contrib import GenericLogicModel


class CountingTransport(httpx.AsyncBaseTransport):
    """Wraps a real transport; records each request and the peak number in flight."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []
        self.in_flight = 0
        self.peak = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            return await self.inner.handle_async_request(request)
        finally:
            self.in_flight -= 1


@pytest_asyncio.fixture
async def profiles(client_kwargs, async_transport, server_config):
    server_config.feature_latency = 0.02
    counting = CountingTransport(async_transport)
    async with AsyncMLSProfileAPIClient(**client_kwargs, transport=counting) as client:
        await client.put_user_profiles(
            "demographics", {str(i): {"age": 20 + i, "region": f"r{i % 3}"} for i in range(100)}
        )
        await client.put_user_profiles("usage", {str(i): {"traffic": i * 1.5} for i in range(100)})
        await client.put_item_profiles("catalog", {"p1": {"price": 10}, "p2": {"price": 20}})
        counting.requests.clear()
        yield client, counting


async def test_concurrent_lookups_of_one_profile_become_one_request(profiles):
    client, counting = profiles
    results = await asyncio.gather(*(client.get_user_profile("demographics", str(i), ["age"]) for i in range(60)))
    assert results == [{"age": 20 + i} for i in range(60)]
    assert len(counting.requests) == 1
    assert counting.requests[0].url.path.endswith("/profiles/demographics/users/batch")


async def test_each_caller_gets_its_own_keys_and_its_own_error(profiles):
    client, counting = profiles
    outcomes = await asyncio.gather(
        client.get_user_profile("demographics", "1", ["age"]),
        client.get_user_profile("demographics", "2", ["region"]),
        client.get_user_profile("demographics", "2"),
        client.get_user_profile("demographics", "no-such-user", ["age"]),
        return_exceptions=True,
    )
    assert outcomes[:3] == [{"age": 21}, {"region": "r2"}, {"age": 22, "region": "r2"}]
    assert isinstance(outcomes[3], DoesNotExist) and "no-such-user" in str(outcomes[3])
    assert len(counting.requests) == 1


async def test_a_lone_lookup_is_a_plain_get(profiles):
    client, counting = profiles
    assert await client.get_item_profile("catalog", "p2", ["price"]) == {"price": 20}
    with pytest.raises(DoesNotExist):
        await client.get_item_profile("catalog", "p9")
    assert [r.method for r in counting.requests] == ["GET", "GET"]
    assert dict(counting.requests[0].url.params) == {"f": "price", "mode": "test"}  # the original's query


async def test_logic_model_fetches_its_feature_groups_concurrently(profiles):
    client, counting = profiles
    model = GenericLogicModel(
        model_name="logic_test_model",
        model_version="v1",
        features=["user_id", "item_id"],
        predict_fn="none",
        preprocess_logic={
            "merge": [
                {"pf": ["user", "demographics", {"var": "user_id"}, ["age"]]},
                {"pf": ["user", "usage", {"var": "user_id"}, ["traffic"]]},
                {"pf": ["item", "catalog", {"var": "item_id"}, ["price"]]},
            ]
        },
        postprocess_logic={
            "list": [
                {
                    "dict": [
                        "id",
                        {"var": "item_id"},
                        "name",
                        "x",
                        "type",
                        "t",
                        "props",
                        {"dict": ["age", {"var": "age"}]},
                    ]
                }
            ]
        },
    )
    result = await model.predict_async(["7", "p1"], pf_client=client)
    assert result == {"items": [{"id": "p1", "name": "x", "type": "t", "props": {"age": None}}]}
    assert len(counting.requests) == 3 and counting.peak == 3  # three groups in flight at once


@pytest.mark.parametrize(
    ("lookup", "expected"),
    [
        ({"pf": ["user", "demographics", {"var": "u"}, ["age", "region"]]}, [27, "r1"]),
        ({"pf": ["user", {"var": "profile"}, {"var": "u"}, ["age"]]}, [27]),  # a computed profile id
        ({"pf": [{"cat": ["us", "er"]}, "demographics", {"var": "u"}, ["age"]]}, [27]),  # a computed type
        ({"pf": ["item", "catalog", {"var": "i"}, ["price", "colour"]]}, [20, None]),
        ({"pf": ["user", "demographics", {"var": "gone"}, ["age"]]}, None),  # not found
    ],
)
async def test_lookups_with_literal_and_computed_arguments_answer_alike(profiles, lookup, expected):
    from mls_async.logic import LogicProcessor

    client, _ = profiles
    data = {"u": "7", "i": "p2", "profile": "demographics", "gone": "no-such-user"}
    assert await LogicProcessor.apply({"merge": [lookup]}, data, pf_client=client) == (
        expected if expected is not None else [None]
    )
    assert await LogicProcessor.apply(lookup, data, pf_client=client) == expected


async def test_lookups_nested_under_operators_answer_through_every_level(profiles):
    from mls_async.logic import LogicProcessor

    client, counting = profiles
    logic = {
        "dict": [
            "total",
            {
                "+": [
                    {"get": [{"pf": ["user", "demographics", {"var": "u"}, ["age"]]}, 0]},
                    {"get": [{"pf": ["user", "usage", {"var": "u"}, ["traffic"]]}, 0]},
                ]
            },
            "missing",
            {"get": [{"pf": ["user", "demographics", "no-such-user", ["age"]]}, 0, "none"]},
        ]
    }
    results = await asyncio.gather(*(LogicProcessor.apply(logic, {"u": str(i)}, pf_client=client) for i in range(50)))
    assert results == [{"total": 20 + i + i * 1.5, "missing": "none"} for i in range(50)]
    assert len(counting.requests) <= 4  # two profiles, batched (the window may split one)


@pytest.mark.parametrize("keys", ["age", None])
async def test_keys_that_are_no_list_are_an_error_as_in_the_original(profiles, keys):
    from mls_async.logic import LogicError, LogicProcessor

    client, _ = profiles
    for lookup in (
        {"pf": ["user", "demographics", {"var": "u"}, keys]},
        {"merge": [{"pf": ["user", "demographics", {"var": "u"}, keys]}]},
    ):
        with pytest.raises(LogicError, match="keys as a list"):
            await LogicProcessor.apply(lookup, {"u": "7"}, pf_client=client)


async def test_many_concurrent_predictions_share_batched_fetches(profiles):
    client, counting = profiles
    model = GenericLogicModel(
        model_name="batched_model",
        model_version="v1",
        features=["user_id"],
        predict_fn="none",
        preprocess_logic={
            "merge": [
                {"pf": ["user", "demographics", {"var": "user_id"}, ["age"]]},
                {"pf": ["user", "usage", {"var": "user_id"}, ["traffic"]]},
            ]
        },
        postprocess_logic={"with": ["row", {"merge": [{"var": "user_id"}]}, {"list": [{"var": "row"}]}]},
    )
    results = await asyncio.gather(*(model.predict_async([str(i)], pf_client=client) for i in range(200)))
    assert [r["items"][0] for r in results] == [[str(i)] for i in range(200)]
    assert len(counting.requests) <= 4  # two profiles, one batch each (the window may split one)


async def test_predict_works_inside_a_running_event_loop():
    async def custom(x, **kwargs):
        await asyncio.sleep(0)
        return {"items": [{"id": "a", "name": "a", "type": "t", "props": {"sum": sum(x)}}]}

    model = MLSGenericModel([], "looped_model", "v1", ["a", "b"], custom_predict_async=custom)
    assert model.predict([1, 2])["items"][0]["props"]["sum"] == 3  # sync call, loop running


def test_predict_works_without_an_event_loop():
    async def custom(x, **kwargs):
        await asyncio.sleep(0)
        return {"items": [x]}

    model = MLSGenericModel([], "plain_model", "v1", ["a"], custom_predict_async=custom)
    assert [model.predict([i]) for i in range(3)] == [{"items": [[i]]} for i in range(3)]


class CountingModel:
    """A real LightGBM classifier that counts how often it is called and with how many rows."""

    def __init__(self) -> None:
        from tests import trained

        self.inner = trained.lightgbm_model()
        self.calls: list[int] = []

    def predict_proba(self, rows):
        self.calls.append(len(rows))
        return self.inner.predict_proba(rows.astype(float))


def _scoring_model(model) -> GenericLogicModel:
    from tests import trained

    return GenericLogicModel(
        model_name="burst_model", model_version="v1", features=trained.FEATURES, model=model, predict_fn="predict_proba"
    )


async def test_concurrent_predictions_share_one_model_call():
    from tests import trained

    counting = CountingModel()
    model = _scoring_model(counting)
    rows = trained.data()[0][:300].tolist()
    results = await asyncio.gather(*(model.predict_async(row) for row in rows))
    expected = counting.inner.predict_proba(trained.data()[0][:300])
    assert np.allclose([r["items"][0]["props"]["score"] for r in results], expected)
    assert counting.calls == [300]
    await model.predict_async(rows[0])
    assert counting.calls == [300, 1]  # a lone call is not held back


async def test_outputs_are_plain_python_whatever_container_the_model_returns():
    class ListOfNumpyScalars:
        def predict(self, rows):
            return [np.float64(row[0]) * 2 for row in rows]

    model = GenericLogicModel(
        model_name="plain_model",
        model_version="v1",
        features=["a"],
        model=ListOfNumpyScalars(),
        postprocess_logic={"list": [{"var": "y"}]},
    )
    results = await asyncio.gather(*(model.predict_async([i]) for i in range(3)))
    assert [r["items"] for r in results] == [[0.0], [2.0], [4.0]]
    assert {type(r["items"][0]) for r in results} == {float}


class FailingProfiles:
    """A profile client whose lookups fail as a server error would."""

    async def get_user_profile(self, profile_id, user_id, keys):
        from mls_async import MLSServerError

        raise MLSServerError(503, "profile API down")


@pytest.mark.parametrize(
    "preprocess",
    [
        {"merge": [{"pf": ["user", "p", {"var": "a"}, ["x"]]}, 1]},  # a lookup that fails
        {"pf": ["user", "p", {"var": "a"}, ["x"]]},  # the whole preprocessing one lookup
    ],
)
async def test_a_failed_lookup_is_a_preprocessing_failure_of_the_model(preprocess):
    from mls_async import MLSServerError

    model = GenericLogicModel(
        model_name="failing_model",
        model_version="v1",
        features=["a"],
        model=CountingModel(),
        preprocess_logic=preprocess,
        predict_fn="predict_proba",
    )
    with pytest.raises(MLSModelError, match="preprocessing failed: MLSServerError") as info:
        await model.predict_async(["u"], pf_client=FailingProfiles())
    assert isinstance(info.value.__cause__, MLSServerError)


async def test_an_operator_failing_once_its_lookups_land_is_a_preprocessing_failure(profiles):
    client, _ = profiles
    model = GenericLogicModel(
        model_name="operator_model",
        model_version="v1",
        features=["u"],
        model=CountingModel(),
        preprocess_logic={
            "merge": [{"+": [{"get": [{"pf": ["user", "demographics", {"var": "u"}, ["region"]]}, 0]}, 1]}]
        },
        predict_fn="predict_proba",
    )
    with pytest.raises(MLSModelError, match="preprocessing failed: LogicError: operator '\\+' failed"):
        await model.predict_async(["1"], pf_client=client)


async def test_preprocessing_that_waits_for_a_branch_still_reaches_the_model(profiles):
    client, _ = profiles
    counting = CountingModel()
    model = GenericLogicModel(
        model_name="lazy_model",
        model_version="v1",
        features=["u"],
        model=counting,
        preprocess_logic={
            "if": [
                {"var": "u"},
                {"merge": [{"pf": ["user", "demographics", {"var": "u"}, ["age"]]}, 0, 0, 0]},
                [0, 0, 0, 0],
            ]
        },
        postprocess_logic={"list": [{"var": "y"}]},
        predict_fn="predict_proba",
    )
    results = await asyncio.gather(*(model.predict_async([str(i)], pf_client=client) for i in range(5)))
    assert len(results) == 5 and all(len(r["items"][0]) == 2 for r in results)
    assert counting.calls == [5]  # the lazy branch's rows still share one model call


async def test_a_bad_row_fails_only_its_caller():
    from tests import trained

    counting = CountingModel()
    model = _scoring_model(counting)
    rows = trained.data()[0][:5].tolist()
    outcomes = await asyncio.gather(
        *(model.predict_async(row) for row in [*rows[:2], ["x", 1, 2, 3], *rows[2:]]), return_exceptions=True
    )
    assert isinstance(outcomes[2], MLSModelError) and "predict_proba failed" in str(outcomes[2])
    good = [o for i, o in enumerate(outcomes) if i != 2]
    assert all(isinstance(o, dict) for o in good) and len(good) == 5
    expected = counting.inner.predict_proba(trained.data()[0][:5])
    assert np.allclose([o["items"][0]["props"]["score"] for o in good], expected)


async def test_a_cancelled_caller_does_not_disturb_the_others():
    from tests import trained

    model = _scoring_model(CountingModel())
    rows = trained.data()[0][:4].tolist()
    tasks = [asyncio.ensure_future(model.predict_async(row)) for row in rows]
    await asyncio.sleep(0)
    tasks[1].cancel()
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    assert isinstance(outcomes[1], asyncio.CancelledError)
    assert all(isinstance(outcomes[i], dict) for i in (0, 2, 3))


def test_sync_predict_from_many_threads_batches_per_thread():
    """Each thread's predict runs on its own loop; batches never mix rows of two loops."""
    from concurrent.futures import ThreadPoolExecutor

    from tests import trained

    counting = CountingModel()
    model = _scoring_model(counting)
    rows = trained.data()[0][:120].tolist()
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(model.predict, rows, timeout=60))
    expected = counting.inner.predict_proba(trained.data()[0][:120])
    assert np.allclose([r["items"][0]["props"]["score"] for r in results], expected)
    assert sum(counting.calls) == 120


# -- merging that holds against a platform without the batch route ---------------------------
class FirstColumn:
    """A stand-in model whose prediction is the first feature: shows which row each caller got."""

    def predict(self, rows):
        return np.asarray(rows, dtype=float)[:, 0]


@pytest_asyncio.fixture
async def plain_profiles(client_kwargs, async_transport, server_config):
    """A client of a server that, like the real profile API, has no batch route."""
    server_config.profile_batch = False
    counting = CountingTransport(async_transport)
    async with AsyncMLSProfileAPIClient(**client_kwargs, transport=counting) as client:
        await client.put_user_profiles("demographics", {str(i): {"age": 20 + i} for i in range(1000)})
        await client.put_user_profiles("usage", {str(i): {"traffic": i * 1.5} for i in range(1000)})
        await client.put_item_profiles("catalog", {str(i): {"price": i} for i in range(10)})
        counting.requests.clear()
        yield client, counting


async def test_a_lookup_without_a_query_sends_no_question_mark(async_transport):
    """On the MMS runtime a lookup of every feature has no query at all, as the original sends it."""
    counting = CountingTransport(async_transport)
    async with AsyncMLSProfileAPIClient(
        "DEV", "MMS", base_url="http://mls", transport=counting, max_retries=0
    ) as client:
        for keys in (None, ["a"]):
            with pytest.raises(MLSUnauthorizedError):  # the local server wants an account; the request is what counts
                await client.get_user_profile("p", "u", keys)
    assert [r.url.raw_path for r in counting.requests] == [
        b"/v1/mls-mms/profiles/p/users/u",
        b"/v1/mls-mms/profiles/p/users/u?f=a",
    ]


async def test_without_an_announced_batch_route_each_id_is_one_get(plain_profiles):
    client, counting = plain_profiles
    assert client.announced("profile-batch") is False
    ids = [str(i % 30) for i in range(90)]  # 30 distinct ids, each asked three times
    results = await asyncio.gather(*(client.get_user_profile("demographics", i, ["age"]) for i in ids))
    assert results == [{"age": 20 + int(i)} for i in ids]
    assert [r.method for r in counting.requests] == ["GET"] * 30  # single flight per id, no batch POST
    assert sorted(r.url.path.rsplit("/", 1)[1] for r in counting.requests) == sorted(set(ids))


async def test_direct_lookups_without_a_batch_route_go_out_at_once_and_answer_each_caller_its_own_dict(
    client_kwargs, async_transport, server_config
):
    server_config.profile_batch = False
    counting = CountingTransport(async_transport)
    async with AsyncMLSProfileAPIClient(**client_kwargs, transport=counting, coalesce_window=30) as client:
        await client.put_user_profiles("p", {"u": {"a": 1, "b": 2}})  # any answer tells what the server has
        assert client.announced("profile-batch") is False
        counting.requests.clear()
        lookups = [
            client.get_user_profile("p", "u"),
            client.get_user_profile("p", "u"),
            client.get_user_profile("p", "u", ["a"]),
        ]
        first, second, picked = await asyncio.wait_for(asyncio.gather(*lookups), 10)  # no 30 s window
        assert first == second == {"a": 1, "b": 2} and first is not second and picked == {"a": 1}
        first["a"] = 99  # a caller's answer is its own
        assert second["a"] == 1
        assert len(counting.requests) == 2  # the two identical lookups shared one


async def test_identical_lookups_in_flight_share_one_request_without_a_window(
    client_kwargs, async_transport, server_config
):
    server_config.feature_latency = 0.02
    counting = CountingTransport(async_transport)
    async with AsyncMLSProfileAPIClient(**client_kwargs, transport=counting, coalesce_window=None) as client:
        await client.put_user_profiles("p", {"u": {"a": 1, "b": 2}})
        counting.requests.clear()
        first = asyncio.ensure_future(client.get_user_profile("p", "u", ["a"]))
        await asyncio.sleep(0.005)  # the first is in flight when the others arrive
        rest = await asyncio.gather(*(client.get_user_profile("p", "u", ["a"]) for _ in range(20)))
        assert [await first, *rest] == [{"a": 1}] * 21
        assert len(counting.requests) == 1


async def test_first_contact_learns_the_batch_route_then_batches(client_kwargs, async_transport):
    counting = CountingTransport(async_transport)
    async with AsyncMLSProfileAPIClient(**client_kwargs, transport=counting) as loader:
        await loader.put_user_profiles("p", {str(i): {"a": i} for i in range(50)})
    counting.requests.clear()
    async with AsyncMLSProfileAPIClient(**client_kwargs, transport=counting) as client:
        assert client.announced("profile-batch") is None  # nothing answered yet
        results = await asyncio.gather(*(client.get_user_profile("p", str(i)) for i in range(50)))
    assert results == [{"a": i} for i in range(50)]
    assert [r.method for r in counting.requests] == ["GET", "POST"]  # one plain lookup, then one batch


async def test_the_whole_p1_workload_is_correct_against_a_server_without_a_batch_route(plain_profiles):
    """1,000 concurrent predictions reading 3 feature groups each, one GET per distinct lookup."""
    client, counting = plain_profiles
    model = GenericLogicModel(
        model_name="plain_model",
        model_version="v1",
        features=["user_id", "item_id"],
        model=FirstColumn(),
        predict_fn="predict",
        preprocess_logic={
            "merge": [
                {"pf": ["user", "demographics", {"var": "user_id"}, ["age"]]},
                {"pf": ["user", "usage", {"var": "user_id"}, ["traffic"]]},
                {"pf": ["item", "catalog", {"var": "item_id"}, ["price"]]},
            ]
        },
        postprocess_logic={
            "list": [
                {
                    "dict": [
                        "id",
                        {"var": "item_id"},
                        "name",
                        "x",
                        "type",
                        "t",
                        "props",
                        {"dict": ["user", {"var": "user_id"}, "age", {"var": "y"}]},
                    ]
                }
            ]
        },
    )
    pairs = [(str(i), str(i % 10)) for i in range(1000)]
    results = await asyncio.gather(*(model.predict_async(list(pair), pf_client=client) for pair in pairs))
    assert [r["items"][0]["id"] for r in results] == [item for _, item in pairs]
    assert [r["items"][0]["props"]["user"] for r in results] == [user for user, _ in pairs]
    assert {r.method for r in counting.requests} == {"GET"} and len(counting.requests) == 1000 + 1000 + 10
    ages = [r["items"][0]["props"]["age"] for r in results]
    assert ages == [20.0 + i for i in range(1000)]  # each prediction got its own user's features


async def test_a_with_options_copy_looks_up_with_its_own_timeout(client_kwargs, async_transport):
    seen: list[dict] = []

    class Recording(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            seen.append(request.extensions["timeout"])
            return await async_transport.handle_async_request(request)

    async with AsyncMLSProfileAPIClient(**client_kwargs, transport=Recording(), timeout=30) as client:
        await client.put_user_profiles("p", {"u": {"a": 1}})
        quick = client.with_options(timeout=1.5)
        seen.clear()
        assert await quick.get_user_profile("p", "u") == {"a": 1}
        assert await client.get_user_profile("p", "u") == {"a": 1}
    assert [t["read"] for t in seen] == [1.5, 30]


FAULTY = "http://mls.faulty"


@respx.mock
async def test_the_profile_batch_lookup_is_retried_after_a_dropped_connection():
    def announce(results: object) -> httpx.Response:
        return httpx.Response(
            200, json={"code": 0, "error": None, "results": results}, headers={"MLS-Capabilities": "profile-batch"}
        )

    respx.get(url__regex=rf"{FAULTY}/v1/c/profiles/p/users/.+").mock(return_value=announce({"a": 0}))
    batch = respx.post(f"{FAULTY}/v1/c/profiles/p/users/batch").mock(
        side_effect=[httpx.ReadError("Can not write request body"), announce({"u1": {"a": 1}, "u2": {"a": 2}})]
    )
    quick = RetryPolicy(max_retries=3, initial_delay=0.001, max_delay=0.002)
    async with AsyncMLSProfileAPIClient("LOCAL", "LOCAL", "c", "key", base_url=FAULTY, retry=quick) as client:
        await client.get_user_profile("p", "u0", ["a"])  # first contact: the batch route is announced
        assert await asyncio.gather(
            client.get_user_profile("p", "u1", ["a"]), client.get_user_profile("p", "u2", ["a"])
        ) == [{"a": 1}, {"a": 2}]
    assert batch.call_count == 2
