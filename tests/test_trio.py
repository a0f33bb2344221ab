"""The async clients, the profile lookups, the logic DSL and ``predict_async`` on asyncio, uvloop and trio.

The tests run through anyio's pytest plugin, once per backend that ``anyio_backend`` names
(``trio.run`` directly too where noted); pytest-asyncio, in strict mode, leaves them alone.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
import sniffio

from mls_async import AsyncMLS, AsyncMLSProfileAPIClient, DoesNotExist, MLSNotFoundError
from mls_async._sync.profile_client import MLSProfileAPIClient
from mls_async.logic import LogicError, LogicProcessor
from mls_async.models import AsyncMLModelClient, MLSGenericModel
from mls_async.models.contrib import ConditionalGenericLogicModel, GenericLogicModel
from tests.conftest import PASSWORD, USER

trio = pytest.importorskip("trio")

pytestmark = pytest.mark.anyio


@pytest.fixture(
    params=[
        pytest.param(("asyncio", {}), id="asyncio"),
        pytest.param(("asyncio", {"use_uvloop": True}), id="uvloop"),
        pytest.param(("trio", {}), id="trio"),
    ]
)
def anyio_backend(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    """Each test runs on asyncio, on asyncio with uvloop, and on trio."""
    if request.param[1].get("use_uvloop"):
        pytest.importorskip("uvloop")
    return request.param


def _on(backend: str) -> None:
    """The test body runs on ``backend``: the plugin started it, not another library."""
    assert sniffio.current_async_library() == backend


@pytest.fixture
def served(live_server: str) -> Iterator[dict[str, str]]:
    kwargs = {"env": "LOCAL", "username": USER, "password": PASSWORD, "base_url": live_server}
    with MLSProfileAPIClient(**kwargs) as loader:
        loader.put_user_profiles("usage", {f"u{i}": {"traffic": i * 1.5} for i in range(20)})
        loader.put_user_profiles("age", {f"u{i}": {"age": 20 + i} for i in range(20)})
        loader.put_item_profiles("catalog", {"p1": {"price": 10}})
    yield kwargs


class FirstColumn:
    def predict(self, rows: list[list[Any]]) -> list[Any]:
        return [row[0] for row in rows]


def _logic_model() -> GenericLogicModel:
    return GenericLogicModel(
        model_name="trio_model",
        model_version="v1",
        features=["user_id"],
        model=FirstColumn(),
        predict_fn="predict",
        preprocess_logic={
            "merge": [
                {"pf": ["user", "usage", {"var": "user_id"}, ["traffic"]]},
                {"pf": ["user", "age", {"var": "user_id"}, ["age"]]},
            ]
        },
        postprocess_logic={"list": [{"dict": ["score", {"var": "y"}]}]},
    )


async def test_profile_client_reads_loads_and_merges_on_every_backend(served, anyio_backend_name):
    _on(anyio_backend_name)
    async with AsyncMLSProfileAPIClient(**served) as client:
        assert await client.get_user_profile("usage", "u2", ["traffic"]) == {"traffic": 3.0}
        assert await client.get_item_profile("catalog", "p1") == {"price": 10}
        assert await client.get_user_profiles("age", ["u1", "u3", "nobody"], ["age"]) == {
            "u1": {"age": 21},
            "u3": {"age": 23},
        }
        with pytest.raises(DoesNotExist):
            await client.get_user_profile("usage", "nobody")
        assert await client.put_user_profiles("usage", {"u99": {"traffic": 1.0}}) == 1


def test_one_client_serves_successive_runs_of_each_backend(served, anyio_backend_name, anyio_backend_options):
    """One client across several runs of the backend, each with a loop of its own."""
    client = AsyncMLSProfileAPIClient(**served)

    def run(fn: Any, *args: Any) -> Any:
        return anyio.run(fn, *args, backend=anyio_backend_name, backend_options=anyio_backend_options)

    for user in ("u1", "u2"):
        assert run(client.get_user_profile, "age", user, ["age"]) == {"age": 20 + int(user[1:])}
    run(client.aclose)


async def test_root_client_and_model_api_on_every_backend(served, anyio_backend_name):
    _on(anyio_backend_name)
    async with AsyncMLS(**served) as mls:
        assert await mls.profiles.get_user_profile("age", "u4", ["age"]) == {"age": 24}
        with pytest.raises(MLSNotFoundError):
            await mls.models.get_manual_model(name="absent_model", version="v1")
    async with AsyncMLModelClient(**served) as models:
        with pytest.raises(MLSNotFoundError):
            await models.get_manual_model(name="absent_model", version="v1")


async def test_predict_async_with_lookups_on_every_backend(served, anyio_backend_name):
    _on(anyio_backend_name)
    model = _logic_model()
    async with AsyncMLSProfileAPIClient(**served) as client:
        results: list[Any] = [None] * 5

        async def one(index: int) -> None:
            results[index] = await model.predict_async([f"u{index}"], pf_client=client)

        async with anyio.create_task_group() as group:
            for index in range(5):
                group.start_soon(one, index)
    assert results == [{"items": [{"score": i * 1.5}]} for i in range(5)]


def test_trio_run_directly(served):
    model = _logic_model()

    async def scenario() -> Any:
        async with AsyncMLSProfileAPIClient(**served) as client:
            return await model.predict_async(["u3"], pf_client=client)

    assert trio.run(scenario) == {"items": [{"score": 4.5}]}


class SlowProfiles:
    """A profile reader of the original's shape, slow enough that siblings overlap; ``bad`` fails."""

    def __init__(self) -> None:
        self.in_flight = self.peak = 0

    async def get_user_profile(self, profile_id: str, user_id: str, keys: list[str] | None = None) -> dict[str, Any]:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await anyio.sleep(0.02)
        finally:
            self.in_flight -= 1
        if user_id == "missing":
            raise DoesNotExist(f"no user {user_id}")
        if user_id == "bad":
            raise ValueError(f"profile {profile_id} is broken")
        return {key: f"{profile_id}:{user_id}:{key}" for key in keys or ["x"]}

    async def get_item_profile(self, profile_id: str, item_id: str, keys: list[str] | None = None) -> dict[str, Any]:
        return await self.get_user_profile(profile_id, item_id, keys)


LOGICS: list[tuple[Any, dict[str, Any]]] = [
    (
        {"merge": [{"pf": ["user", "p", {"var": "u"}, ["a", "b"]]}, {"pf": ["item", "q", "i", ["c"]]}, {"var": "z"}]},
        {"u": "u1", "z": 3},
    ),
    ({"+": [{"count": [{"pf": ["user", "p", "u1", ["a"]]}]}, {"get": [{"pf": ["user", "p", "u2", ["a"]]}, 0]}, 1]}, {}),
    ({"if": [{"pf": ["user", "p", "missing", ["a"]]}, "found", {"pf": ["user", "p", "u3", ["a"]]}]}, {}),
    ({"with": ["v", {"pf": ["user", "p", {"var": "u"}, ["a"]]}, {"merge": [{"var": "v"}, "tail"]}]}, {"u": "u4"}),
    ({"for": [{"var": "ids"}, {"pf": ["user", "p", {"var": "i"}, ["a"]]}]}, {"ids": ["u1", "missing", "u2"]}),
    ({"pf": ["user", "p", {"cat": ["u", {"var": "n"}]}, ["a"]]}, {"n": 7}),
    ({"merge": [{"pf": ["user", "p", "u1", "a"]}, 1]}, {}),  # keys that are no list: an error
    ({"merge": [{"pf": ["user", "p", "bad", ["a"]]}, {"pf": ["user", "p", "u1", ["a"]]}]}, {}),
]


async def _answers(processor: LogicProcessor) -> list[Any]:
    answers: list[Any] = []
    for logic, data in LOGICS:
        try:
            answers.append(await processor.evaluate(logic, dict(data)))
        except (LogicError, ValueError) as exc:
            answers.append((type(exc).__name__, str(exc)))
    return answers


@pytest.fixture
def asyncio_answers() -> list[Any]:
    """The DSL's answers on plain asyncio: the reference for every backend."""
    return anyio.run(_answers, LogicProcessor(SlowProfiles()))


async def test_the_logic_dsl_answers_alike_on_every_backend(asyncio_answers, anyio_backend_name):
    _on(anyio_backend_name)
    expected = asyncio_answers
    assert await _answers(LogicProcessor(SlowProfiles())) == expected
    assert expected[0] == ["p:u1:a", "p:u1:b", "q:i:c", 3] and expected[2] == ["p:u3:a"]
    assert expected[4] == [["p:u1:a"], None, ["p:u2:a"]]
    assert expected[6][0] == "LogicError" and expected[7] == ("ValueError", "profile p is broken")


async def test_sibling_lookups_overlap_on_every_backend(anyio_backend_name):
    _on(anyio_backend_name)
    profiles = SlowProfiles()
    logic = {"merge": [{"pf": ["user", "p", f"u{i}", ["a"]]} for i in range(4)]}
    assert await LogicProcessor(profiles).evaluate(logic, {}) == [f"p:u{i}:a" for i in range(4)]
    assert profiles.peak == 4


async def test_more_model_classes_on_every_backend(anyio_backend_name):
    _on(anyio_backend_name)

    async def custom(x: list[Any], **kwargs: Any) -> dict[str, Any]:
        await anyio.sleep(0)
        return {"items": [{"id": str(x[0])}]}

    generic = MLSGenericModel([], "custom_model", "v1", ["a"], custom_predict_async=custom)
    conditional = ConditionalGenericLogicModel(
        model_name="cond_model",
        model_version="v1",
        features=["u"],
        models=[FirstColumn(), FirstColumn()],
        model_selection_logic={"if": [{"==": [{"var": "u"}, "u1"]}, 0, 1]},
        preprocess_logics=[{"merge": [{"pf": ["user", "p", {"var": "u"}, ["a"]]}]}, {"merge": [2]}],
        postprocess_logics=[{"list": [{"var": "y"}]}, {"list": [{"var": "y"}]}],
        predict_fns=["predict", "predict"],
    )

    assert [
        await generic.predict_async([5]),
        await conditional.predict_async(["u1"], pf_client=SlowProfiles()),
        await conditional.predict_async(["u2"], pf_client=SlowProfiles()),
    ] == [{"items": [{"id": "5"}]}, {"items": ["p:u1:a"]}, {"items": [2]}]


@functools.cache
def _lightgbm_model() -> Any:
    from tests import trained

    return trained.lightgbm_model()


@pytest.fixture
def lightgbm_case() -> tuple[Any, list[float], Any]:
    """A wrapped LightGBM model, a row, and its sync prediction (made outside any event loop)."""
    from mls_async.models import MLSLightGBMModel
    from tests import trained

    features = [f"f{i}" for i in range(trained.data()[0].shape[1])]
    model = MLSLightGBMModel(_lightgbm_model(), "lgbm_model", "v1", features)
    row = trained.data()[0][0].tolist()
    return model, row, model.predict(row)


async def test_a_library_model_on_every_backend(lightgbm_case, anyio_backend_name):
    _on(anyio_backend_name)
    model, row, expected = lightgbm_case
    assert await model.predict_async(row) == expected
