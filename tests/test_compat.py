"""Models saved by the real sktmls (tests/fixtures/sktmls_models, written by scripts/record_sktmls_models.py)
load as mls_async classes and answer as the original answered: directly, from the registry, online, migrated."""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
from pathlib import Path

import httpx
import pytest

from mls_async import AsyncMLSProfileAPIClient, AsyncModelRegistry, MLSProfileAPIClient, ModelRegistryError
from mls_async.compat import load_sktmls
from mls_async.models import AsyncMLModelClient
from mls_async.models.contrib import GenericLogicModel, SampleModel, VasXcloudRuleModel

FIXTURES = Path(__file__).parent / "fixtures" / "sktmls_models"
SAVED = {"logic_lookup_model": GenericLogicModel, "sample_model": SampleModel, "vas_rule_model": VasXcloudRuleModel}


def _cases(name: str) -> dict:
    return json.loads((FIXTURES / name / "v1" / "cases.json").read_text())


@pytest.fixture
def profiles(sync_transport, client_kwargs):
    """The profile values the original's answers were recorded with, in the local server."""
    with MLSProfileAPIClient(**client_kwargs, transport=sync_transport) as client:
        for profile_id, users in _cases("logic_lookup_model")["profiles"].items():
            client.put_user_profiles(profile_id, users)
        yield client


@pytest.mark.parametrize("name", sorted(SAVED))
def test_a_saved_model_loads_as_ours_and_answers_as_the_original(name, profiles):
    before = sys.modules.get("sktmls")
    model = load_sktmls(FIXTURES / name / "v1")
    assert type(model) is SAVED[name] and sys.modules.get("sktmls") is before  # the real modules are back
    for case in _cases(name)["cases"]:
        assert model.predict(case["x"], pf_client=profiles) == case["expected"]


@pytest.mark.parametrize("name", sorted(SAVED))
async def test_and_answers_so_async_too(name, client_kwargs, async_transport, profiles):
    model = load_sktmls(FIXTURES / name / "v1" / "model.joblib")
    async with AsyncMLSProfileAPIClient(**client_kwargs, transport=async_transport) as client:
        answers = await asyncio.gather(
            *(model.predict_async(case["x"], pf_client=client) for case in _cases(name)["cases"])
        )
    assert answers == [case["expected"] for case in _cases(name)["cases"]]


async def test_registered_and_served_online(client_kwargs, async_transport, profiles, tmp_path):
    model = load_sktmls(FIXTURES / "logic_lookup_model" / "v1")
    async with (
        AsyncMLModelClient(**client_kwargs, transport=async_transport) as models,
        AsyncModelRegistry(**client_kwargs, transport=async_transport, model_dir=tmp_path / "m") as registry,
    ):
        deployment = await registry.save_and_deploy(model, models)
        for case in _cases("logic_lookup_model")["cases"]:
            assert await models.predict(deployment, case["x"]) == case["expected"]


async def test_the_registry_loads_a_version_the_original_wrote(client_kwargs, async_transport, tmp_path):
    """A version directory as sktmls left it, uploaded as it is: the registry's load gives our class."""
    from mls_async._artifacts import pack_version_dir
    from mls_async._async.registry import CHECKSUM_HEADER

    archive, digest = pack_version_dir(FIXTURES / "vas_rule_model" / "v1")
    async with AsyncModelRegistry(**client_kwargs, transport=async_transport, model_dir=tmp_path / "m") as registry:
        await registry._request(
            "PUT",
            registry._version_path("vas_rule_model", "v1"),
            content=archive.read_bytes(),
            headers={CHECKSUM_HEADER: digest, "Content-Type": "application/x-tar"},
        )
        loaded = await registry.load("vas_rule_model", "v1")
    archive.unlink()
    assert type(loaded) is VasXcloudRuleModel
    assert loaded.predict([20, 55000, 10000, "Y", "Y"])["items"][0]["id"] == "NA00007114"


def test_migrate_registers_every_version_and_reports_failures(client_kwargs, sync_transport, tmp_path, capsys):
    from mls_async._sync.registry import ModelRegistry
    from mls_async.migrate import migrate

    tree = tmp_path / "models"
    shutil.copytree(FIXTURES, tree)
    (tree / "broken_model" / "v1").mkdir(parents=True)
    (tree / "broken_model" / "v1" / "model.joblib").write_bytes(b"not a pickle")
    results = migrate(tree, **client_kwargs, transport=sync_transport)
    assert [str(r).split(":")[0] for r in results] == [
        "broken_model/v1",
        "logic_lookup_model/v1",
        "sample_model/v1",
        "vas_rule_model/v1",
    ]
    assert results[0].error is not None and all(r.error is None for r in results[1:])
    assert [r.model_class for r in results[1:]] == ["GenericLogicModel", "SampleModel", "VasXcloudRuleModel"]
    assert (tree / "sample_model" / "v1" / "cases.json").is_file()  # the original's files are left alone
    with ModelRegistry(**client_kwargs, transport=sync_transport, model_dir=tmp_path / "m") as registry:
        assert sorted(registry.list_models()) == ["logic_lookup_model", "sample_model", "vas_rule_model"]
        assert type(registry.load("sample_model", "v1")) is SampleModel


def test_a_missing_file_or_class_is_named(tmp_path):
    with pytest.raises(ModelRegistryError, match="no model.joblib"):
        load_sktmls(tmp_path)
    import pickle

    (tmp_path / "model.joblib").write_bytes(pickle.dumps(httpx.URL).replace(b"httpx", b"nomod"))
    with pytest.raises(ModelRegistryError, match="cannot be found"):
        load_sktmls(tmp_path)
