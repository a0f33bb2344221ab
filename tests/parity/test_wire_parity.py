"""Parity with the original SDK (``sktmls`` 2026.10.7), the oracle, over real loopback servers.

(a) The original, unchanged, runs the scenario against ``mls-async server`` and gets
    what it expects back from every method.
(b) Our sync and async clients run the same scenario; each step's requests (method,
    path, query, JSON body, Authorization) equal the original's, up to the
    differences listed in ``ALLOWED_DIFFERENCES``.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mls_async.server import ServerConfig, create_app
from tests.parity.recording import Recorder, Seen, serve
from tests.parity.scenario import STEPS, prepare
from tests.parity.sides import PASSWORD, USER, Side, async_side, original_side, sync_side

if os.environ.get("MLS_PARITY_REQUIRED"):  # CI and `nox -s parity`: a missing original is a failure
    import sktmls  # noqa: F401
else:
    pytest.importorskip("sktmls", reason="the parity suite needs the original: pip install --no-deps sktmls==2026.10.7")
pytestmark = pytest.mark.parity

SIDES: dict[str, Callable[[str, Recorder], Side]] = {"sktmls": original_side, "sync": sync_side, "async": async_side}


def _lookup_by_id(seen: list[Seen]) -> list[Seen]:
    """Drop a ``GET {collection}?id=N`` that is directly followed by ``GET {collection}/N``."""
    kept = []
    for index, request in enumerate(seen):
        following = seen[index + 1] if index + 1 < len(seen) else None
        wanted = dict(request.query).get("id")
        if (
            wanted
            and request.method == "GET"
            and following is not None
            and following.method == "GET"
            and following.path == f"{request.path}/{wanted}"
        ):
            continue
        kept.append(request)
    return kept


# Every way our requests may differ from the original's, each harmless to the real platform.
ALLOWED_DIFFERENCES: dict[str, Callable[[list[Seen]], list[Seen]]] = {
    # get_*(id=...) (also after each create and update) is one GET of the resource; the
    # original lists with ?id=N first and then GETs /N. Both are reads.
    "one GET by id instead of list-then-get": _lookup_by_id,
}
# Public methods of ours with no counterpart in the original, and why each may exist.
OUR_EXTRAS = {
    "models.iter_automl_models",
    "models.iter_manual_models",  # pages of the same GET the list call sends
    "components.iter_components",
    "datasets.iter_datasets",
    "models.predict",  # online prediction of the local server
    "datasets.upload_dataset",  # file upload to the local server's own route
    "dynamodb.create_table",
    "dynamodb.upload_items",
    "dynamodb.is_table_active",
    "dynamodb.is_table_loading",
    "dynamodb.delete_table",
    "dynamodb.hold_table",
    "dynamodb.release_table",  # the local server's tables
    # The original's graph writes fail before sending (they pass json= to a _request that has no such
    # parameter); ours send the evident request, checked against the local server in tests/_async.
    "graph.add_vertex",
    "graph.add_edge",
    "graph.update_vertex",
    "graph.update_edge",
    "predictions.get_batch_prediction",  # a job's state: a route of the local server
}
# Methods of the original that cannot run (see ORIGINAL_BUGS): no scenario step can call them.
ORIGINAL_BROKEN = {f"graph.{name}" for name in ("add_vertex", "add_edge", "update_vertex", "update_edge")} | {
    f"graph.{name}_async"
    for name in (
        "list_vertices",
        "add_vertex",
        "drop_vertices",
        "get_vertex",
        "update_vertex",
        "drop_vertex",
        "list_edges",
        "add_edge",
        "drop_edges",
        "get_edge",
        "update_edge",
        "drop_edge",
    )
}
BASE_METHODS = {
    "get_env",
    "get_runtime_env",
    "get_username",
    "aclose",
    "close",
    "with_options",
    "supports",
    "announced",
}


def _run(side_name: str, make: Callable[[str, Recorder], Side], root: Path) -> tuple[dict[str, list[Seen]], Side]:
    # The server-side meta merge is our extension: off here, so our client sends what it sends to the platform.
    config = ServerConfig(root / "server", {USER: PASSWORD}, automl_time_limit=8, meta_merge=False)
    recorder = Recorder(create_app(config))
    steps: dict[str, list[Seen]] = {}
    with serve(recorder) as url:
        prepare(url)
        recorder.take()
        side = make(url, recorder)
        context: dict[str, Any] = {"url": url, "model_dir": root / "models"}
        try:
            for name, step in STEPS:
                try:
                    step(side, context)
                except Exception as exc:
                    raise AssertionError(f"{side_name}: step {name!r} failed: {exc!r}") from exc
                steps[name] = recorder.take()
        finally:
            side.close()
    return steps, side


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict[str, list[Seen]], Side]]:
    return {name: _run(name, make, tmp_path_factory.mktemp(name)) for name, make in SIDES.items()}


def _public(cls: type) -> set[str]:
    return {name for name in dir(cls) if not name.startswith("_") and callable(getattr(cls, name))}


def test_the_original_gets_what_it_expects_from_every_method(runs):
    from sktmls.apis import MLSGraphAPIClient
    from sktmls.components import ComponentClient
    from sktmls.datasets import DatasetClient
    from sktmls.dynamodb import DynamoDBClient
    from sktmls.meta_tables import MetaTableClient
    from sktmls.models import MLModelClient

    from tests.parity.sides import original_automl_prediction

    steps, side = runs["sktmls"]
    assert list(steps) == [name for name, _ in STEPS]
    expected = {
        f"{kind}.{name}"
        for kind, cls in (
            ("models", MLModelClient),
            ("components", ComponentClient),
            ("datasets", DatasetClient),
            ("dynamodb", DynamoDBClient),
            ("meta_tables", MetaTableClient),
            ("graph", MLSGraphAPIClient),
            ("predictions", original_automl_prediction().AutoMLBatchPredictionClient),
        )
        for name in _public(cls) - BASE_METHODS
    }
    assert ORIGINAL_BROKEN <= expected, "broken methods listed that the original no longer has"
    assert expected - ORIGINAL_BROKEN - side.called == set(), "original methods the scenario never calls"


@pytest.mark.parametrize("ours", ["sync", "async"])
@pytest.mark.parametrize("step", [name for name, _ in STEPS])
def test_our_requests_equal_the_originals(runs, ours, step):
    original = runs["sktmls"][0][step]
    for allowed in ALLOWED_DIFFERENCES.values():
        original = allowed(original)
    mine = runs[ours][0][step]
    assert [str(s) for s in mine] == [str(s) for s in original]
    assert mine == original  # the Authorization header and JSON types too


@pytest.mark.parametrize("ours", ["sync", "async"])
def test_every_public_method_has_a_parity_case(runs, ours):
    from mls_async.apis import AsyncMLSGraphAPIClient
    from mls_async.components import AsyncComponentClient
    from mls_async.datasets import AsyncDatasetClient
    from mls_async.dynamodb import AsyncDynamoDBClient
    from mls_async.meta_tables import AsyncMetaTableClient
    from mls_async.models import AsyncMLModelClient
    from mls_async.models.automl import AsyncAutoMLBatchPredictionClient

    _, side = runs[ours]
    public = {
        f"{kind}.{name}"
        for kind, cls in (
            ("models", AsyncMLModelClient),
            ("components", AsyncComponentClient),
            ("datasets", AsyncDatasetClient),
            ("dynamodb", AsyncDynamoDBClient),
            ("meta_tables", AsyncMetaTableClient),
            ("graph", AsyncMLSGraphAPIClient),
            ("predictions", AsyncAutoMLBatchPredictionClient),
        )
        for name in _public(cls) - BASE_METHODS
    }
    assert public - side.called - OUR_EXTRAS == set(), "public methods without a parity case"
    assert OUR_EXTRAS <= public, "extras listed for methods that no longer exist"


# The original's own bugs: the only places where it fails against the local server.
ORIGINAL_BUGS = {
    "update_manual_model on a model with components": TypeError,  # calls Component.get("name")
    "update_manual_model_meta(partial_update=True) on a model without meta": AttributeError,  # None.update
    "graph add_vertex": TypeError,  # passes json= to its _request(method, url, data, params)
    "graph list_vertices_async": AttributeError,  # awaits `coroutine.results`
}


def test_the_originals_own_bugs_are_the_only_failures_and_fixed_here(tmp_path):
    recorder = Recorder(create_app(ServerConfig(tmp_path / "server", {USER: PASSWORD})))
    with serve(recorder) as url:
        original, ours = original_side(url, recorder), sync_side(url, recorder)
        try:
            for side in (original, ours):
                component = side.components.create_component(f"bug_c_{side.name[:3]}", "i", True)
                with_components = side.models.create_manual_model(
                    f"bug_a_{side.name[:3]}_model", "v1", components=[component]
                )
                without_meta = side.models.create_manual_model(f"bug_b_{side.name[:3]}_model", "v1")
                if side is original:
                    with pytest.raises(ORIGINAL_BUGS["update_manual_model on a model with components"]):
                        side.models.update_manual_model(with_components, description="x")
                    with pytest.raises(
                        ORIGINAL_BUGS["update_manual_model_meta(partial_update=True) on a model without meta"]
                    ):
                        side.models.update_manual_model_meta(without_meta, {"k": 1}, partial_update=True)
                else:
                    updated = side.models.update_manual_model(with_components, description="x")
                    assert updated.description == "x" and [c.name for c in updated.components] == ["bug_c_mls"]
                    merged = side.models.update_manual_model_meta(without_meta, {"k": 1}, partial_update=True)
                    assert merged.model_meta == {"k": 1}
        finally:
            ours.close()


@pytest.mark.filterwarnings("ignore:coroutine .* was never awaited:RuntimeWarning")  # the original's bug
def test_the_originals_graph_writes_and_async_reads_fail_and_ours_work(tmp_path):
    from sktmls import MLSENV, MLSRuntimeENV
    from sktmls.apis import MLSGraphAPIClient

    import mls_async.apis

    recorder = Recorder(create_app(ServerConfig(tmp_path / "server", {USER: PASSWORD})))
    with serve(recorder) as url:
        import sktmls.config

        sktmls.config.CONFIG["LOCAL"]["MLS_GRAPH_API_URL"]["local"] = url
        original = MLSGraphAPIClient(env=MLSENV.LOCAL, runtime_env=MLSRuntimeENV.LOCAL)
        with pytest.raises(ORIGINAL_BUGS["graph add_vertex"]):
            original.add_vertex("v1", "user")
        with pytest.raises(ORIGINAL_BUGS["graph list_vertices_async"]):
            asyncio.run(original.list_vertices_async({}))
        with mls_async.apis.MLSGraphAPIClient(env="LOCAL", base_url=url) as ours:
            assert ours.add_vertex("v1", "user").id == "v1"
        assert [v.id for v in original.list_vertices({})] == ["v1"]


def test_null_description_is_sent_as_null_like_the_original(tmp_path):
    recorder = Recorder(create_app(ServerConfig(tmp_path / "server", {USER: PASSWORD})))
    with serve(recorder) as url:
        sides = [original_side(url, recorder), sync_side(url, recorder)]
        bodies = []
        for index, side in enumerate(sides):
            dataset = side.types.Dataset(id=999, name="missing", data_type="classification")
            recorder.take()
            with pytest.raises(Exception):  # noqa: B017 - the dataset does not exist; the request is what counts
                side.models.create_automl_model(dataset, f"null_{index}", "v1", None)
            bodies.append({k: v for k, v in recorder.take()[0].body.items() if k != "name"})
        sides[1].close()
    assert bodies[0] == bodies[1] and bodies[0]["description"] is None
